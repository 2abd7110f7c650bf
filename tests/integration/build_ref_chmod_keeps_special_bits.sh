#!/bin/bash
# COPY --chmod=OCTAL replaces the permission bits only: a setuid (or setgid, sticky) bit of the
# source stays.
# BuildKit (docker.io 20.10.24) gives mode 4700 for a 4755 file copied with --chmod=0700, and
# 700 for a plain 644 file.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
mkdir -p ctx/src
echo s >ctx/src/suid && chmod 4755 ctx/src/suid
echo p >ctx/src/plain && chmod 0644 ctx/src/plain
printf 'FROM scratch\nCOPY --chmod=0700 src /chmodded\n' >ctx/Dockerfile
build -q -o img.bale ctx
extract img.bale r
[ "$(stat -c %a r/chmodded/suid)" = 4700 ] || fail "--chmod=0700 on a 4755 file: $(stat -c %a r/chmodded/suid), BuildKit gives 4700"
[ "$(stat -c %a r/chmodded/plain)" = 700 ] || fail "--chmod=0700 on a 644 file: $(stat -c %a r/chmodded/plain)"
exit 0
