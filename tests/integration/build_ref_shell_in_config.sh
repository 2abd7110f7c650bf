#!/bin/bash
# SHELL is part of the image config: BuildKit records it in Config.Shell, and an image built
# FROM that image runs its shell-form RUN, CMD and ENTRYPOINT through it.
# BuildKit (docker.io 20.10.24) gives Config.Shell ["/bin/sh","-e","-c"] and, in the child
# built on the saved image, Cmd ["/bin/sh","-e","-c","echo child"].
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
cat >ctx/Dockerfile <<DF
$BUSYBOX_STAGE
SHELL ["/bin/sh", "-e", "-c"]
CMD echo hi
DF
build -q -o base.bale ctx
image_config base.bale
[ "$(json_get "$T/config.json" 'j["config"]["config"].get("Shell")')" = '["/bin/sh","-e","-c"]' ] ||
  fail "Shell: $(json_get "$T/config.json" 'j["config"]["config"].get("Shell")'), BuildKit gives [\"/bin/sh\",\"-e\",\"-c\"]"
[ "$(json_get "$T/config.json" 'j["config"]["config"]["Cmd"]')" = '["/bin/sh","-e","-c","echo hi"]' ] ||
  fail "Cmd: $(json_get "$T/config.json" 'j["config"]["config"]["Cmd"]')"

# The image as a base: its SHELL is the child's.
cp base.bale ctx/base.bale
printf 'FROM ./base.bale\nRUN echo "$0 $-" >/shell-seen\nCMD echo child\n' >ctx/Dockerfile.child
build -q -f ctx/Dockerfile.child -o child.bale ctx
image_config child.bale
[ "$(json_get "$T/config.json" 'j["config"]["config"]["Cmd"]')" = '["/bin/sh","-e","-c","echo child"]' ] ||
  fail "child Cmd: $(json_get "$T/config.json" 'j["config"]["config"]["Cmd"]'), BuildKit gives the base's SHELL"
[ "$(json_get "$T/config.json" 'j["config"]["config"].get("Shell")')" = '["/bin/sh","-e","-c"]' ] ||
  fail "child Shell: $(json_get "$T/config.json" 'j["config"]["config"].get("Shell")'), BuildKit inherits it"
extract child.bale r
grep -q e r/shell-seen || fail "the child's RUN did not run under the base's SHELL (-e): $(cat r/shell-seen)"
exit 0
