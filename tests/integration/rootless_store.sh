#!/bin/bash
# A user's store is as safe as root's: a first run killed (-9) mid-unpack leaves no half image
# and the next run unpacks afresh; concurrent first runs unpack once; gc removes the leftover
# (files of subordinate ids, which only the user's namespace may remove). No one else can read
# or change it, and bale refuses a store that someone else could change: another user's, or one
# writable by others (the way files would be injected into what this user runs).
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need setpriv
need useradd
[ -u /usr/bin/newuidmap ] || skip "newuidmap is not installed setuid (package uidmap)"
unset BALE_STORE

run_root root
# About 100 MB in 1000 files of random bytes, some of them _apt's (42), so the unpack takes a while.
random_tree root/data 10
chown 42:42 root/data/d*
chmod 700 root/data/d*
last_sum=$(sha256sum root/data/d9/f99 | cut -d' ' -f1)
"$BALE" pack root -o big.bale 2>/dev/null
chmod 644 big.bale
test_user "bale-st-$$" 4300000
store=$T/home/.local/share/bale
as_test_user "$T/bale" trust add "$T/config/id_ed25519.pub" --name test-root >/dev/null || fail "trust add failed"

# kill -9 in the middle of the user's first unpack.
as_test_user "$T/bale" run "$T/big.bale" true 2>err &
pid=$!
at_exit "kill -9 $pid"
unpack_started() {
  [ -n "$(find "$store/tmp" -mindepth 4 -maxdepth 4 -print -quit 2>/dev/null)" ]
}
wait_for 30 unpack_started || fail "no unpack into the user's store appeared: $(cat err)"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
[ -z "$(ls "$store/images")" ] || fail "images/ has $(ls "$store/images") though the run was killed mid-unpack"
[ "$(ls "$store/tmp" | wc -l)" -eq 1 ] || fail "expected the interrupted unpack in tmp/: $(ls "$store/tmp")"

# Ten first runs at once after it: one unpack, every run sees the whole image.
pids=()
for i in $(seq 10); do
  as_test_user "$T/bale" run "$T/big.bale" sh -c 'sha256sum /data/d9/f99; find /data -type f | wc -l' \
    >"out.$i" 2>"err.$i" &
  pids+=($!)
done
for i in $(seq 10); do
  wait "${pids[$((i - 1))]}" || fail "concurrent first run $i failed: $(cat "err.$i")"
  [ "$(sed -n 1p "out.$i" | cut -d' ' -f1)" = "$last_sum" ] && [ "$(sed -n 2p "out.$i")" -eq 1000 ] ||
    fail "run $i saw: $(cat "out.$i")"
done
[ "$(ls "$store/images" | wc -l)" -eq 1 ] || fail "images/ holds: $(ls "$store/images")"
hex=$(ls "$store/images")
[ "$(stat -c %u "$store/images/$hex/rootfs/data/d0")" = 4300041 ] || fail "_apt's dir is not subuid+41 on the host"
as_test_user "$T/bale" store gc >gc.out 2>err || fail "gc as the user failed: $(cat err)"
[ -z "$(ls "$store/tmp")" ] || fail "gc left the interrupted unpack: $(ls "$store/tmp")"

# Nobody else gets in: not with their own tools, not through bale.
for d in "$store" "$store/images" "$store/blobs"; do
  [ "$(stat -c %a "$d")" = 700 ] || fail "$d has mode $(stat -c %a "$d"), not 700"
done
# The keys: the trust list may be read (public keys), written by no one else; the key by no one.
[ $(("0$(stat -c %a "$T/home/.config/bale")" & 022)) -eq 0 ] || fail "others may write the user's trust"
[ "$(stat -c %a "$T/home/.config/bale/allowed_signers")" = 644 ] || [ "$(stat -c %a "$T/home/.config/bale/allowed_signers")" = 600 ] ||
  fail "allowed_signers has mode $(stat -c %a "$T/home/.config/bale/allowed_signers")"
setpriv --reuid=65534 --regid=65534 --clear-groups ls "$store" >/dev/null 2>&1 && fail "another user could list the store"
setpriv --reuid=65534 --regid=65534 --clear-groups touch "$store/images/x" 2>/dev/null && fail "another user could write the store"
expect_fail 125 "the store '$store' belongs to uid $uid, not to uid 0" env BALE_STORE="$store" "$BALE" run "$T/big.bale" true

# A store others may write to is refused, before anything of it is used.
chmod 770 "$store"
expect_fail 125 "the store '$store' may be written by others \(mode 0770\)" as_test_user "$T/bale" run "$T/big.bale" true
grep -q "hint: chmod go-w $store" "$T/.err" || fail "no fix offered: $(cat "$T/.err")"
chmod 700 "$store"
as_test_user "$T/bale" run "$T/big.bale" true || fail "the store does not work again after chmod 700"
exit 0
