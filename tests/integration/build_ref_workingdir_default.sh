#!/bin/bash
# A stage with no WORKDIR (FROM scratch) has WorkingDir "/" in its config, as BuildKit writes it.
# Low priority: a runtime treats "" as "/", but the config differs from BuildKit's.
# BuildKit (docker.io 20.10.24) gives "WorkingDir": "/".
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
mkdir -p ctx && echo f >ctx/f
printf 'FROM scratch\nCOPY f /f\n' >ctx/Dockerfile
build -q -o img.bale ctx
image_config img.bale
[ "$(json_get "$T/config.json" 'j["config"]["config"].get("WorkingDir")')" = / ] ||
  fail "WorkingDir: $(json_get "$T/config.json" 'j["config"]["config"].get("WorkingDir")'), BuildKit gives /"
exit 0
