#!/bin/bash
# /run and /tmp are the image's own, as docker shows them: what a Dockerfile put there (sshd's
# /run/sshd, postgres's /var/run/postgresql, a file in /tmp) is there, writes to them vanish
# with the container, and the image is unchanged. With --read-only they are fresh, writable
# tmpfs directories instead. An image without /tmp gets one, mode 1777.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
run_root root
mkdir -p root/run/sshd root/run/postgresql root/var
ln -s ../run root/var/run
echo x >root/tmp/x
chmod 0755 root/run/sshd
"$BALE" pack root -o img.bale 2>/dev/null
out=$("$BALE" run img.bale sh -c 'ls -d /run/sshd /var/run/postgresql; cat /tmp/x; echo new >/tmp/y; echo w >/run/w; cat /tmp/y /run/w' 2>err) ||
  fail "run failed: $(cat err)"
[ "$out" = "/run/sshd
/var/run/postgresql
x
new
w" ] || fail "the image's /run and /tmp are not what docker shows: '$out'"
out=$("$BALE" run img.bale sh -c 'ls /tmp; ls /run' 2>err)
[ "$out" = "x
postgresql
sshd" ] || fail "writes of an earlier container stayed: '$out'"
out=$("$BALE" run --read-only img.bale sh -c 'ls /tmp | wc -l; echo w >/tmp/w && echo w >/run/w && cat /tmp/w' 2>err) ||
  fail "--read-only run failed: $(cat err)"
[ "$out" = "0
w" ] || fail "--read-only: /tmp should be fresh and writable: '$out'"
rm -rf root/tmp
"$BALE" pack root -o notmp.bale 2>/dev/null
[ "$("$BALE" run notmp.bale stat -c %a /tmp 2>err)" = 1777 ] || fail "an image without /tmp: $(cat err)"
exit 0
