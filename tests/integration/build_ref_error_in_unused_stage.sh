#!/bin/bash
# An invalid instruction is an error even in a stage the target does not need: BuildKit parses
# (and checks) the whole Dockerfile before building.
# BuildKit (docker.io 20.10.24) fails: 'dockerfile parse error line 5: Unknown type "CMD-SHELL"
# in HEALTHCHECK (try CMD)'.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
mkdir -p ctx && echo f >ctx/f
printf 'FROM scratch AS good\nCOPY f /f\nFROM scratch AS unused\nCOPY f /f\nHEALTHCHECK CMD-SHELL echo\nFROM good\n' >ctx/Dockerfile
expect_fail 1 "Dockerfile:5: HEALTHCHECK: unknown type 'CMD-SHELL'" "$BALE" build -q -o img.bale ctx
[ -e img.bale ] && fail "an image was written"
exit 0
