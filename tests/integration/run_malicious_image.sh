#!/bin/bash
# A validly signed image is still untrusted input to the unpacker: an entry named '../x', a write
# through a symlink pointing out of the root, or a hardlink to a host file must never touch
# anything outside the image's own tree. Escaping entries are refused (125, naming the entry,
# nothing left in the store); a symlinked directory resolves inside the image, as in a chroot.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

# The busybox root every crafted image starts with, as tarfile code for sign_tar.
base='
add("bin", type=tarfile.DIRTYPE)
add("etc", type=tarfile.DIRTYPE)
add("tmp", type=tarfile.DIRTYPE, mode=0o1777)
add("bin/busybox", open("/bin/busybox", "rb").read(), mode=0o755)
for a in ("sh", "cat", "ls", "true", "test"):
    add("bin/" + a, type=tarfile.SYMTYPE, linkname="busybox")
add("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
'
mkdir -p outside/deeper
echo untouched >outside/victim
shadow_links=$(stat -c %h /etc/shadow)

# refused NAME ENTRY: running NAME.bale fails with 125 naming ENTRY, and leaves the store empty.
refused() {
  expect_fail 125 "$(re_escape "'$2'")" "$BALE" run "$1.bale" true
  [ "$(store_count images)" -eq 0 ] || fail "$1: unpacked anyway: $(store_names images)"
  [ "$(store_count tmp)" -eq 0 ] || fail "$1: left in the store's tmp: $(store_names tmp)"
}

# The escaping entry comes after the busybox root, so the unpack is well under way.
sign_tar dotdot.bale "$base"'
add("../escape", b"escaped\n")'
refused dotdot ../escape
sign_tar deep_dotdot.bale "$base"'
add("etc/../../../../../../../../..'"$T"'/outside/victim", b"overwritten\n")'
refused deep_dotdot "etc/../../../../../../../../..$T/outside/victim"
sign_tar absolute.bale "$base"'
add("'"$T"'/outside/abs", b"absolute\n")'
refused absolute "$T/outside/abs"
[ -e "$BALE_STORE/escape" ] || [ -e "$BALE_STORE/tmp/escape" ] || [ -e "$T/escape" ] || [ -e /escape ] &&
  fail "'../escape' was written outside the image"
[ "$(cat outside/victim)" = untouched ] || fail "a '..' entry overwrote a host file"
[ -e outside/abs ] && fail "an absolute entry was written on the host"

sign_tar hardlink_abs.bale "$base"'
add("etc/shadow-copy", type=tarfile.LNKTYPE, linkname="/etc/shadow")'
refused hardlink_abs /etc/shadow
sign_tar hardlink_dotdot.bale "$base"'
add("etc/x", type=tarfile.LNKTYPE, linkname="../../x")'
refused hardlink_dotdot ../../x
# A hardlink through a symlink that points at the host's /etc: resolved inside the image, where
# there is no shadow file, so refused.
sign_tar hardlink_via_symlink.bale "$base"'
add("hostetc", type=tarfile.SYMTYPE, linkname="/etc")
add("stolen", type=tarfile.LNKTYPE, linkname="hostetc/shadow")'
refused hardlink_via_symlink hostetc/shadow
[ "$(stat -c %h /etc/shadow)" -eq "$shadow_links" ] || fail "/etc/shadow gained a hardlink"

# Writes through symlinks to / and .. land inside the image: /etc/pwned is the image's.
planted=planted-$$-$RANDOM
sign_tar symlinks.bale "$base"'
add("etc2", type=tarfile.SYMTYPE, linkname="/etc")
add("etc2/pwned", b"inside-abs\n")
add("etc3", type=tarfile.SYMTYPE, linkname="../../../../../../../../etc")
add("etc3/pwned3", b"inside-rel\n")
add("tmplink", type=tarfile.SYMTYPE, linkname="/tmp")
add("tmplink/'"$planted"'", b"planted\n")'
"$BALE" run symlinks.bale cat /etc/pwned /etc/pwned3 >out 2>err ||
  fail "the image with symlinked directories did not run: $(cat err)"
[ "$(cat out)" = "inside-abs
inside-rel" ] || fail "the files written through symlinks read back as: $(cat out)"
[ -e /etc/pwned ] && { rm -f /etc/pwned; fail "an entry through 'etc2 -> /etc' was written to the host's /etc"; }
[ -e /etc/pwned3 ] && { rm -f /etc/pwned3; fail "an entry through 'etc3 -> ../..' was written to the host's /etc"; }
[ -e "/tmp/$planted" ] && { rm -f "/tmp/$planted"; fail "an entry through 'tmplink -> /tmp' was written to the host's /tmp"; }
rootfs=$BALE_STORE/images/$(image_hex symlinks.bale)/rootfs
[ "$(cat "$rootfs/etc/pwned")" = inside-abs ] || fail "/etc/pwned is not in the unpacked image"
[ "$(cat "$rootfs/tmp/$planted")" = planted ] || fail "tmplink/$planted is not in the unpacked image's /tmp"

# Through a symlink to a host directory the image lacks: refused or kept inside, never written
# to the host.
sign_tar dangling.bale "$base"'
add("out", type=tarfile.SYMTYPE, linkname="'"$T"'/outside")
add("out/deeper/planted", b"planted\n")'
rc=0
"$BALE" run dangling.bale true 2>err || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 125 ] || fail "the image with a dangling symlinked directory gave exit $rc: $(cat err)"
[ -e outside/deeper/planted ] && fail "an entry through a symlink to '$T/outside' was written on the host"
exit 0
