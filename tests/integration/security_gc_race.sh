#!/bin/bash
# `bale store gc` racing `bale run`: gc must never take away the tree of a container that is
# starting or running. While gc removes other, unused images (so it is busy for a while after it
# looked for containers in use), a run of the kept image starts; that run either prints the
# image's files (one read before a pause, one looked up only after it, so a tree removed under a
# running container shows) or fails cleanly before its target starts (125, a "bale:" message).
# gc never crashes; afterwards a run works, and nothing outside the store changed or stayed
# mounted.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

S="$T/sentinel"
mkdir -p "$S/sub"
echo original >"$S/keep"
echo deeper >"$S/sub/file"
before=$(tree_manifest "$S"; file_hashes "$S")

run_root root
echo marker-ok >root/etc/marker
echo marker2-ok >root/etc/marker2
"$BALE" pack root -o main.bale 2>/dev/null || fail "setup: pack main.bale failed"
main=$(image_hex main.bale)
"$BALE" run main.bale true 2>err || fail "setup: first run failed: $(cat err)"

# Unused images of a few thousand files each: removing one takes gc a tenth of a second or so.
# gc walks images/ in directory order; at least three of them must come before main's image, so
# a run that starts while gc removes them is one gc did not see when it looked for users.
run_root junk
mkdir -p junk/data
(cd junk/data && seq 1 4000 | xargs touch)
j=0 junks=()
while :; do
  j=$((j + 1))
  [ "$j" -le 40 ] || fail "setup: could not place three unused images before main's in directory order"
  echo "junk $j" >junk/etc/marker
  "$BALE" pack junk -o "junk$j.bale" 2>/dev/null || fail "setup: pack junk$j.bale failed"
  "$BALE" run "junk$j.bale" true 2>err || fail "setup: run junk$j.bale failed: $(cat err)"
  junks+=("junk$j.bale")
  ahead=$(ls -U "$BALE_STORE/images" | sed "/^$main\$/q" | grep -vc "^$main\$" || true)
  [ "$ahead" -lt 3 ] || break
  # Directory order is the file system's: hashed (ext4 with dir_index), newest first (tmpfs) or
  # oldest first (ext4 without it). For the last kind, main's image is made again (a new
  # digest) after the junk, every other round.
  if [ $((j % 2)) -eq 0 ]; then
    "$BALE" pack root -o main.bale -l attempt="$j" 2>/dev/null || fail "setup: re-pack main.bale failed"
    main=$(image_hex main.bale)
    "$BALE" run main.bale true 2>err || fail "setup: run of the re-made main.bale failed: $(cat err)"
  fi
done
# Keep only the junk images before main's: the others would only make gc slower.
kept=()
for img in "${junks[@]}"; do
  hex=$(image_hex "$img")
  if ls -U "$BALE_STORE/images" | sed "/^$main\$/q" | grepq -x "$hex"; then kept+=("$img"); fi
done
rm -rf junk

mkdir res
end=$(( $(date +%s) + 12 ))
i=0
while [ "$(date +%s)" -lt "$end" ] || [ "$i" -lt 3 ]; do
  i=$((i + 1))
  [ "$i" -le 30 ] || break
  for img in "${kept[@]}"; do "$BALE" run "$img" true >/dev/null 2>&1 || fail "re-unpacking $img failed"; done
  "$BALE" store gc >"res/gc.$i.out" 2>"res/gc.$i.err" & gc=$!
  sleep "0.0$(( i % 9 + 1 ))"
  rc=0
  "$BALE" run main.bale sh -c 'cat /etc/marker; sleep 1; cat /etc/marker2; ls /etc | wc -l' \
    >"res/run.$i.out" 2>"res/run.$i.err" </dev/null || rc=$?
  echo "$rc" >"res/run.$i.rc"
  grc=0
  wait "$gc" || grc=$?
  echo "$grc" >"res/gc.$i.rc"
done

runs=0 ok=0 clean=0
# What /etc holds in a container of it (bale adds resolv.conf, hosts, hostname to the image's).
want_etc=$("$BALE" run main.bale sh -c 'ls /etc | wc -l' 2>/dev/null) || fail "a plain run failed"
for f in res/run.*.rc; do
  runs=$((runs + 1))
  base=${f%.rc}
  rc=$(cat "$f")
  n=${base#res/run.}
  grep -qiE 'internal error|terminate|what\(\)|core dumped' "$base.err" &&
    fail "run $n racing gc crashed (exit $rc): $(cat "$base.err")"
  if [ "$rc" -eq 0 ]; then
    [ "$(cat "$base.out")" = "marker-ok
marker2-ok
$want_etc" ] || fail "run $n racing gc: the image's tree went away under the running container" \
      "(gc said: $(tr '\n' ' ' <"res/gc.$n.out")); it printed '$(cat "$base.out")', stderr: $(cat "$base.err")"
    ok=$((ok + 1))
  elif [ "$rc" -eq 125 ] && grep -q '^bale: ' "$base.err" && [ ! -s "$base.out" ]; then
    clean=$((clean + 1))
  else
    fail "run $n racing gc exited $rc: stdout '$(cat "$base.out")', stderr: $(cat "$base.err")"
  fi
  grep -qiE 'internal error|terminate|what\(\)' "res/gc.$n.err" && fail "gc $n crashed: $(cat "res/gc.$n.err")"
  [ "$(cat "res/gc.$n.rc")" -eq 0 ] || fail "gc $n racing a run exited $(cat "res/gc.$n.rc"): $(cat "res/gc.$n.err")"
done
[ "$runs" -ge 3 ] || fail "too few iterations to mean anything: $runs"
echo "runs: $runs ($ok ok, $clean refused cleanly); unused images before main's: ${#kept[@]}" >&2

"$BALE" run main.bale cat /etc/marker >out 2>err || fail "a run after the race failed: $(cat err)"
[ "$(cat out)" = marker-ok ] || fail "a run after the race printed: $(cat out)"
"$BALE" store gc >/dev/null 2>err || fail "gc after the race failed: $(cat err)"
[ "$(store_count images)" -eq 0 ] || fail "gc left images: $(store_names images)"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
[ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ] || fail "the sentinel outside the store changed"
! grep -qF "$T/" /proc/self/mountinfo || fail "mounts left: $(grep -F "$T/" /proc/self/mountinfo)"
exit 0
