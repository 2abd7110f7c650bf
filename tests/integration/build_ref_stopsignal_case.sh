#!/bin/bash
# STOPSIGNAL takes a signal name in any case (Docker parses it case-insensitively, with or
# without SIG) and stores it as written.
# BuildKit (docker.io 20.10.24) builds "STOPSIGNAL term" and gives "StopSignal": "term".
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
mkdir -p ctx && echo f >ctx/f
printf 'FROM scratch\nCOPY f /f\nSTOPSIGNAL term\n' >ctx/Dockerfile
build -q -o img.bale ctx
image_config img.bale
[ "$(json_get "$T/config.json" 'j["config"]["config"]["StopSignal"]')" = term ] ||
  fail "StopSignal: $(json_get "$T/config.json" 'j["config"]["config"]["StopSignal"]'), BuildKit gives term"
exit 0
