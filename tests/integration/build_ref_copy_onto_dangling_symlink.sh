#!/bin/bash
# COPY of a file onto a path that is a dangling symlink in the stage writes through the link
# (creating its target), as it does for a symlink to an existing file. The target is a path of
# the image: a link to `/../../etc/x`, to `../../..`, or to an absolute host path never leads the
# write out of the image's tree.
# BuildKit (docker.io 20.10.24) gives /dangling still a symlink to "nowhere" and /nowhere the
# copied file ("new").
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
echo new >ctx/f
name="bale-dangling-$$"
mkdir "$T/outside"   # a host directory the absolute link names
[ ! -e "/etc/$name" ] && [ ! -e "/tmp/$name" ] || skip "/etc/$name or /tmp/$name exists"
cat >ctx/Dockerfile <<DF
$BUSYBOX_STAGE
RUN ln -s nowhere /dangling && ln -s /../../etc/$name /up && mkdir -p /a/b && \\
    ln -s ../../../../../../tmp/$name /a/b/rel && ln -s $T/outside/host /abs && \\
    ln -s hop1 /chain && ln -s /d/hop2 /hop1
COPY f /dangling
COPY f /up
COPY f /a/b/rel
COPY f /abs
COPY f /chain
DF
build -q -o img.bale ctx
extract img.bale r
[ "$(readlink r/dangling)" = nowhere ] || fail "/dangling was replaced: $(ls -la r/dangling)"
[ "$(cat r/nowhere 2>/dev/null)" = new ] || fail "the link's target /nowhere was not written"
[ "$(cat "r/etc/$name" 2>/dev/null)" = new ] || fail "/up (-> /../../etc/$name) did not write /etc/$name in the image"
[ "$(cat "r/tmp/$name" 2>/dev/null)" = new ] || fail "/a/b/rel did not write /tmp/$name in the image"
[ "$(cat "r$T/outside/host" 2>/dev/null)" = new ] || fail "/abs did not write $T/outside/host in the image"
[ "$(cat r/d/hop2 2>/dev/null)" = new ] || fail "/chain (-> hop1 -> /d/hop2) did not write /d/hop2"
[ -L r/up ] && [ -L r/a/b/rel ] && [ -L r/abs ] && [ -L r/chain ] || fail "a link was replaced"
[ ! -e "/etc/$name" ] || { rm -f "/etc/$name"; fail "COPY wrote the host's /etc/$name"; }
[ ! -e "/tmp/$name" ] || { rm -f "/tmp/$name"; fail "COPY wrote the host's /tmp/$name"; }
[ -z "$(ls -A "$T/outside")" ] || fail "COPY wrote into the host directory $T/outside"
no_build_leftovers
exit 0
