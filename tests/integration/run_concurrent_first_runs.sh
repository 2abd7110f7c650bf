#!/bin/bash
# Thirty first runs of one new image at once: every one starts and sees the whole image, and it
# is unpacked exactly once (the store's per-image lock), with nothing left in the store's tmp.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root root
mkdir root/data
# Enough content that the unpack takes a while and the runs overlap.
for i in $(seq 40); do head -c 500000 /dev/urandom >"root/data/f$i"; done
(cd root/data && sha256sum f* >../sums)
"$BALE" pack root -o img.bale 2>/dev/null

pids=()
for i in $(seq 30); do
  "$BALE" run img.bale sh -c 'cd /data && sha256sum -c /sums >/dev/null && echo ok' >"out.$i" 2>"err.$i" &
  pids+=($!)
done
failed=""
for i in $(seq 30); do
  rc=0
  wait "${pids[$((i - 1))]}" || rc=$?
  [ "$rc" -eq 0 ] && [ "$(cat "out.$i")" = ok ] || failed+=" run $i (exit $rc: $(cat "err.$i"))"
done
[ -z "$failed" ] || fail "concurrent first runs failed:$failed"

[ "$(store_count images)" -eq 1 ] || fail "images/ holds $(store_count images) entries: $(store_names images)"
[ "$(store_names images)" = "$(image_hex img.bale)" ] || fail "images/ holds $(store_names images), not the image's digest"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
"$BALE" run img.bale sh -c 'cd /data && sha256sum -c /sums >/dev/null' || fail "the unpacked tree is incomplete"
exit 0
