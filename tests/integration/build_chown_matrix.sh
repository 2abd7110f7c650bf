#!/bin/bash
# COPY and ADD --chown as BuildKit resolves it, on files and directories, against the stage's own
# /etc/passwd and /etc/group: name (its primary group from passwd), name:group, uid (gid = uid),
# uid:gid, name:gid, uid:group; an unknown name is an error naming the file it was looked up in.
# And every stage's config has the default PATH when its base sets none (FROM scratch too).
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
mkdir -p ctx/d && echo f >ctx/f && echo g >ctx/d/g
cat >ctx/Dockerfile <<DF
$BUSYBOX_STAGE
RUN echo 'root:x:0:0::/root:/bin/sh' >/etc/passwd && echo 'app:x:1000:2000::/home/app:/bin/sh' >>/etc/passwd && \\
    echo 'root:x:0:' >/etc/group && echo 'staff:x:3000:' >>/etc/group && echo 'appgrp:x:2000:' >>/etc/group
COPY --chown=app f /name
COPY --chown=app:staff f /name-group
COPY --chown=123 f /uid
COPY --chown=123:456 f /uid-gid
COPY --chown=app:456 f /name-gid
COPY --chown=123:staff f /uid-group
COPY --chown=app d /dir-name/
ADD --chown=app f /add-name
ADD --chown=123:staff d /add-dir/
DF
build -q -o img.bale ctx
extract img.bale r
check() { [ "$(stat -c %u:%g "r$1")" = "$2" ] || fail "$1: owner $(stat -c %u:%g "r$1"), BuildKit gives $2"; }
check /name 1000:2000
check /name-group 1000:3000
check /uid 123:123
check /uid-gid 123:456
check /name-gid 1000:456
check /uid-group 123:3000
check /dir-name/g 1000:2000
check /add-name 1000:2000
check /add-dir/g 123:3000

printf '%s\nCOPY --chown=nobody f /x\n' "$BUSYBOX_STAGE" >ctx/Dockerfile.unknown
expect_fail 1 "Dockerfile.unknown:4: .*nobody.*/etc/passwd" "$BALE" build -q -f ctx/Dockerfile.unknown -o bad.bale ctx
printf '%s\nCOPY --chown=0:nogroup f /x\n' "$BUSYBOX_STAGE" >ctx/Dockerfile.nogroup
expect_fail 1 "Dockerfile.nogroup:4: .*nogroup.*/etc/group" "$BALE" build -q -f ctx/Dockerfile.nogroup -o bad.bale ctx

# The default PATH in the config of a FROM scratch image, and kept when the Dockerfile sets one.
printf 'FROM scratch\nCOPY f /f\n' >ctx/Dockerfile.scratch
build -q -f ctx/Dockerfile.scratch -o scratch.bale ctx
image_config scratch.bale
[ "$(json_get "$T/config.json" 'j["config"]["config"]["Env"]')" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' ] ||
  fail "FROM scratch: Env is $(json_get "$T/config.json" 'j["config"]["config"].get("Env")'), BuildKit gives the default PATH"
printf 'FROM scratch\nENV PATH=/opt/bin\nCOPY f /f\n' >ctx/Dockerfile.own
build -q -f ctx/Dockerfile.own -o own.bale ctx
image_config own.bale
[ "$(json_get "$T/config.json" 'j["config"]["config"]["Env"]')" = '["PATH=/opt/bin"]' ] ||
  fail "ENV PATH: Env is $(json_get "$T/config.json" 'j["config"]["config"]["Env"]')"
no_build_leftovers
exit 0
