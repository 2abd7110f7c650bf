#!/bin/bash
# Packing keeps everything a root filesystem needs: file types (devices, fifos, hardlinks,
# symlinks), long and UTF-8 names, special mode bits, large ids and times, and the xattrs that
# belong in an image; GNU tar restores all of it with no warning.
. "$(dirname "$0")/lib.sh"
need getfattr; need setfattr; need setcap

make_rich_tree root
mkdir root/dev
mknod root/dev/null c 1 3
mknod root/dev/sda b 8 0
mknod root/dev/tty4095 c 4 4095                # a minor past 255: the split encoding of dev_t
mkfifo root/dev/initctl
printf '#!/bin/sh\n' >root/suid && chmod 4755 root/suid
printf 'x' >root/sgid && chmod 2711 root/sgid
mkdir root/sticky && chmod 1777 root/sticky
mkdir root/setgid-dir && chmod 2775 root/setgid-dir
echo owned >root/owned && chown 1234:5678 root/owned
echo big-ids >root/big-ids && chown 3000000:4000000 root/big-ids   # past ustar's 7 octal digits
echo old >root/epoch
echo future >root/future
cp /bin/busybox root/ping && setcap cap_net_raw+ep root/ping
setfattr -n user.foo -v bar root/owned
setfattr -n user.binary -v 0x00ff10 root/owned
setfattr -n user.on-dir -v dir-value root/sticky
setfattr -n trusted.bale-test -v kept root/epoch
setfattr -n trusted.overlay.opaque -v y root/sticky   # overlayfs bookkeeping: must not travel
find root -exec touch -h -d @1600000000 {} +        # whole seconds: all a tar keeps
touch -d @0 root/epoch
touch -d @9999999999 root/future                      # past ustar's 11 octal digits

"$BALE" pack root -o img.bale 2>/dev/null

mkdir out
# no-timestamp: GNU tar's notice that 'future' is in the future is about the file, not the image.
expect_silent tar --xattrs --xattrs-include='*' --numeric-owner --warning=no-timestamp \
  -xzf img.bale -C out
same_tree root out

# Hardlinks come back as one inode, devices with their numbers.
[ "$(stat -c %i out/etc/hostname.conf)" = "$(stat -c %i out/usr/share/doc/hard-1)" ] &&
  [ "$(stat -c %i out/etc/hostname.conf)" = "$(stat -c %i out/srv/hard-2)" ] ||
  fail "hardlinks were not restored as one inode"
for d in dev/null dev/sda dev/tty4095 dev/initctl; do
  [ "$(stat -c '%F %t:%T %a' "root/$d")" = "$(stat -c '%F %t:%T %a' "out/$d")" ] ||
    fail "$d: packed $(stat -c '%F %t:%T %a' "root/$d"), extracted $(stat -c '%F %t:%T %a' "out/$d")"
done
for f in suid sgid sticky setgid-dir; do
  [ "$(stat -c %a "out/$f")" = "$(stat -c %a "root/$f")" ] ||
    fail "$f: mode $(stat -c %a "out/$f"), expected $(stat -c %a "root/$f")"
done
[ "$(stat -c %u:%g out/big-ids)" = 3000000:4000000 ] || fail "big-ids owned by $(stat -c %u:%g out/big-ids)"
[ "$(stat -c %Y out/epoch)" = 0 ] || fail "epoch mtime $(stat -c %Y out/epoch)"
[ "$(stat -c %Y out/future)" = 9999999999 ] || fail "future mtime $(stat -c %Y out/future)"

# The xattrs that belong in an image, byte for byte; the overlay one left out.
xattrs() { getfattr --absolute-names -h -d -m - -e hex "$1" 2>/dev/null | grep -v '^#' | sort; }
xattrs root/owned | grepq '^user.foo=' || skip "this file system keeps no user xattrs"
for f in owned sticky epoch ping; do
  want=$(xattrs "root/$f" | grep -v -e '^trusted.overlay' -e '^security.selinux')
  [ "$(xattrs "out/$f")" = "$want" ] ||
    fail "$f: xattrs after extraction: '$(xattrs "out/$f")', expected '$want'"
done
[ "$(getcap out/ping | awk '{print $2}')" = cap_net_raw=ep ] ||
  fail "file capability lost: $(getcap out/ping)"
xattrs out/epoch | grepq '^trusted.bale-test=' || fail "trusted.bale-test was not kept"
xattrs out/sticky | grepq overlay && fail "trusted.overlay.opaque travelled in the image"

# The tar itself is numeric: no user or group names that could map to other ids elsewhere.
tar -tvzf img.bale >listing
grep -q ' 1234/5678 ' listing || fail "tar -tv does not show numeric owner 1234/5678"
exit 0
