#!/bin/bash
# `bale store gc` racing `bale run`: gc must never take away the tree of a container that is
# starting or running. Every run, started while gc loops, either prints the image's file twice
# (before and after a pause, so a tree removed under a running container shows) or fails cleanly
# before its target starts (125, a "bale:" message); gc never crashes; afterwards a run works, and
# nothing outside the store changed or stayed mounted.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

S="$T/sentinel"
mkdir -p "$S/sub"
echo original >"$S/keep"
echo deeper >"$S/sub/file"
before=$(tree_manifest "$S"; file_hashes "$S")

run_root root
echo marker-ok >root/etc/marker
"$BALE" pack root -o main.bale 2>/dev/null || fail "setup: pack main.bale failed"
# Other images, many small files each: gc spends a while removing them, and a run that starts
# meanwhile must still be protected when gc reaches the image it uses.
for j in 1 2 3; do
  rm -rf junk && run_root junk
  mkdir -p junk/data
  (cd junk/data && seq 1 2500 | sed "s/^/j$j-/" | xargs touch)
  echo "junk $j" >junk/etc/marker
  "$BALE" pack junk -o "junk$j.bale" 2>/dev/null || fail "setup: pack junk$j.bale failed"
done
rm -rf junk
"$BALE" run main.bale true 2>err || fail "setup: first run failed: $(cat err)"

mkdir res
end=$(( $(date +%s) + 10 ))
# runner ID: runs main.bale until the end time, one result file set per run.
runner() {
  local i=0
  while [ "$(date +%s)" -lt "$end" ]; do
    i=$((i + 1))
    local rc=0
    "$BALE" run main.bale sh -c 'cat /etc/marker; sleep 0.3; cat /etc/marker' \
      >"res/$1.$i.out" 2>"res/$1.$i.err" </dev/null || rc=$?
    echo "$rc" >"res/$1.$i.rc"
  done
}
junker() {
  local i=0
  while [ "$(date +%s)" -lt "$end" ]; do
    i=$((i + 1))
    "$BALE" run "junk$(( i % 3 + 1 )).bale" true >/dev/null 2>&1 </dev/null || true
  done
}
collector() {
  local i=0
  while [ "$(date +%s)" -lt "$end" ]; do
    i=$((i + 1))
    local rc=0
    "$BALE" store gc >"res/gc.$i.out" 2>"res/gc.$i.err" </dev/null || rc=$?
    echo "$rc" >"res/gc.$i.rc"
  done
}
runner a & pa=$!
runner b & pb=$!
junker & pj=$!
collector & pg=$!
at_exit "kill $pa $pb $pj $pg"
wait "$pa" "$pb" "$pj" "$pg"

runs=0 ok=0 clean=0 gcs=0
for f in res/[ab].*.rc; do
  runs=$((runs + 1))
  base=${f%.rc}
  rc=$(cat "$f")
  if grep -qiE 'internal error|terminate|what\(\)|core dumped' "$base.err"; then
    fail "a run racing gc crashed (exit $rc): $(cat "$base.err")"
  fi
  if [ "$rc" -eq 0 ]; then
    [ "$(cat "$base.out")" = "marker-ok
marker-ok" ] || fail "a run racing gc exited 0 but printed '$(cat "$base.out")': $(cat "$base.err")"
    ok=$((ok + 1))
  elif [ "$rc" -eq 125 ] && grep -q '^bale: ' "$base.err" && [ ! -s "$base.out" ]; then
    clean=$((clean + 1))
  else
    fail "a run racing gc exited $rc (its tree went away under it?): stdout '$(cat "$base.out")', stderr: $(cat "$base.err")"
  fi
done
for f in res/gc.*.rc; do
  gcs=$((gcs + 1))
  rc=$(cat "$f")
  base=${f%.rc}
  grep -qiE 'internal error|terminate|what\(\)' "$base.err" && fail "gc crashed: $(cat "$base.err")"
  [ "$rc" -eq 0 ] || fail "gc racing runs exited $rc: $(cat "$base.err")"
done
[ "$runs" -ge 4 ] && [ "$gcs" -ge 4 ] || fail "too few iterations to mean anything: $runs runs, $gcs gcs"
echo "runs: $runs ($ok ok, $clean refused cleanly), gc: $gcs" >&2

"$BALE" run main.bale cat /etc/marker >out 2>err || fail "a run after the race failed: $(cat err)"
[ "$(cat out)" = marker-ok ] || fail "a run after the race printed: $(cat out)"
"$BALE" store gc >/dev/null 2>err || fail "gc after the race failed: $(cat err)"
[ "$(store_count images)" -eq 0 ] || fail "gc left images: $(store_names images)"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
[ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ] || fail "the sentinel outside the store changed"
! grep -qF "$T/" /proc/self/mountinfo || fail "mounts left: $(grep -F "$T/" /proc/self/mountinfo)"
exit 0
