#!/bin/bash
# Supervise commands: stop-on-failure (the first exit stops the rest, SIGTERM then SIGKILL after
# the grace period, its status is the group's), wait-all-successful (exits of 0 are fine, a
# failure stops all), restart (an exited child is started again with a growing back-off),
# --only/--exclude, and output lines prefixed with the child's name, whole.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
busybox_project
# Children that fail wait half a second first, so that the others have set their TERM traps.
yaml '  quick:
    run: [sh, -c, "sleep 0.5; echo quick-out; exit 3"]
  slow:
    run: [sh, -c, "trap \"echo slow-term; exit 0\" TERM; echo slow-up; while :; do sleep 0.1; done"]
  stubborn:
    run: [sh, -c, "trap \"echo ignoring\" TERM; while :; do sleep 0.1; done"]
  ok:
    run: [sh, -c, "sleep 1.5; echo ok-done"]
  bad:
    run: [sh, -c, "sleep 0.5; exit 4"]
  lines:
    run: [sh, -c, "i=0; while [ $i -lt 300 ]; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa$i; i=$((i+1)); done"]
  lines2:
    run: [sh, -c, "i=0; while [ $i -lt 300 ]; do echo bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb$i; i=$((i+1)); done"]
  flaky:
    run: [sh, -c, "echo run >>/work/runs; exit 1"]
  first:
    supervise: {children: [slow, quick]}
  grace:
    supervise: {children: [stubborn, quick], grace-period: 1}
  all-good:
    supervise: {mode: wait-all-successful, children: [ok, quick2]}
  all-bad:
    supervise: {mode: wait-all-successful, children: [ok, bad, slow]}
  noisy:
    supervise: {mode: wait-all-successful, children: [lines, lines2]}
  again:
    supervise: {mode: restart, children: [flaky, slow]}
  quick2:
    run: [sh, -c, "echo quick2; exit 0"]'

# stop-on-failure: quick exits 3, slow gets SIGTERM; the status is quick's.
in_proj "$BALE" first >first.out 2>first.err && rc=0 || rc=$?
[ "$rc" -eq 3 ] || fail "stop-on-failure: $rc, not the first exit's 3: $(cat first.out first.err)"
grep -qxE 'quick \| quick-out' first.out || fail "no prefixed line of quick: $(cat first.out)"
grep -qxE 'slow  \| slow-term' first.out || fail "slow was not sent SIGTERM: $(cat first.out)"

# A child that ignores SIGTERM is killed after the grace period (1 s here).
start=$(date +%s%N)
in_proj "$BALE" grace >grace.out 2>&1 && rc=0 || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" -eq 3 ] || fail "grace: exit $rc"
grep -q ignoring grace.out || fail "stubborn never got SIGTERM: $(cat grace.out)"
[ "$ms" -ge 1000 ] || fail "stubborn was killed before the grace period ($ms ms)"
[ "$(pgrep -fc 'trap "echo ignoring"' || true)" -eq 0 ] || fail "stubborn is still running"

# wait-all-successful.
in_proj "$BALE" all-good >good.out 2>&1 || fail "all-good failed: $(cat good.out)"
grep -q 'ok     | ok-done' good.out && grep -q 'quick2 | quick2' good.out || fail "all-good output: $(cat good.out)"
in_proj "$BALE" all-bad >bad.out 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 4 ] || fail "all-bad: $rc, not the failure's 4: $(cat bad.out)"
grep -q 'slow | slow-term' bad.out || fail "a failure did not stop the others: $(cat bad.out)"
grep -q ok-done bad.out && fail "ok ran on after the failure"

# Lines never interleave mid-line.
in_proj "$BALE" noisy >noisy.out 2>&1 || fail "noisy failed"
[ "$(grep -cxE 'lines  \| a{48}[0-9]+|lines2 \| b{48}[0-9]+' noisy.out)" -eq 600 ] ||
  fail "lines were broken or mixed: $(grep -vxE 'lines  \| a{48}[0-9]+|lines2 \| b{48}[0-9]+' noisy.out | head -5)"

# restart: flaky runs again after 1 s, then 2 s; SIGTERM to bale stops it all.
(cd "$P" && exec "$BALE" again) >again.out 2>&1 &
pid=$!
sleep 3.6
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
[ "$rc" -eq 143 ] || fail "restart group stopped by SIGTERM gave $rc: $(cat again.out)"
[ "$(wc -l <"$P/runs")" -eq 3 ] || fail "flaky ran $(wc -l <"$P/runs") times in 3.6 s, expected 3 (back-off 1 s, 2 s): $(cat again.out)"
grep -q 'restarting in 2s' again.out || fail "no back-off shown: $(cat again.out)"

# --only and --exclude.
out=$(in_proj "$BALE" all-good --only quick2 2>&1) || fail "--only failed: $out"
[ "$out" = "quick2 | quick2" ] || fail "--only ran: $out"
out=$(in_proj "$BALE" do --exclude ok all-good 2>&1) || fail "--exclude failed: $out"
[ "$out" = "quick2 | quick2" ] || fail "--exclude ran: $out"
expect_fail 2 "'all-good' has no child 'nope'" in_proj "$BALE" all-good --only nope
# On a terminal each child's prefix has a colour of its own; in a log (above) none.
if command -v script >/dev/null; then
  (cd "$P" && script -qec "$BALE all-good" /dev/null) >tty.out 2>&1 || fail "all-good on a terminal: $(cat tty.out)"
  c1=$(grep -a 'ok-done' tty.out | grep -ao $'\033\[[0-9]*m' | head -1)
  c2=$(grep -a 'quick2.$' tty.out | grep -ao $'\033\[[0-9]*m' | head -1)
  [ -n "$c1" ] && [ -n "$c2" ] && [ "$c1" != "$c2" ] || fail "no distinct colours on a terminal: $(cat -v tty.out)"
fi
grep -q $'\033' first.out noisy.out good.out && fail "colour codes in a log"
echo ok
