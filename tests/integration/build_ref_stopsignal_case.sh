#!/bin/bash
# STOPSIGNAL takes a signal name in any case (Docker parses it case-insensitively, with or
# without SIG) and stores it as written.
# BuildKit (docker.io 20.10.24) builds "STOPSIGNAL term" and gives "StopSignal": "term".
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
sig=$(scratch_config_field 'STOPSIGNAL term' StopSignal)
[ "$sig" = term ] || fail "StopSignal: $sig, BuildKit gives term"
exit 0
