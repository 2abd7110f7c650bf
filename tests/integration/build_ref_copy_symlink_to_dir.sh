#!/bin/bash
# COPY of a source that is itself a symlink to a directory follows it: the target directory's
# contents are copied (as for the directory itself), not an empty directory made.
# BuildKit (docker.io 20.10.24) gives /topdirlink/b.txt ("b").
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
mkdir -p ctx/src/sub
echo b >ctx/src/sub/b.txt
ln -s sub ctx/src/dirlink
printf 'FROM scratch\nCOPY src/dirlink /topdirlink\n' >ctx/Dockerfile
build -q -o img.bale ctx
extract img.bale r
[ -d r/topdirlink ] && [ ! -L r/topdirlink ] || fail "/topdirlink is not a directory"
[ "$(cat r/topdirlink/b.txt 2>/dev/null)" = b ] || fail "COPY of a symlink to a directory: $(ls -la r/topdirlink)"
exit 0
