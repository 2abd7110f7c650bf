#!/bin/bash
# A stage with no WORKDIR (FROM scratch) has WorkingDir "/" in its config, as BuildKit writes it.
# Low priority: a runtime treats "" as "/", but the config differs from BuildKit's.
# BuildKit (docker.io 20.10.24) gives "WorkingDir": "/".
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
dir=$(scratch_config_field '' WorkingDir)
[ "$dir" = / ] || fail "WorkingDir: $dir, BuildKit gives /"
exit 0
