#!/bin/bash
# --memory, --cpus and --pids put the target in new bale-<pid> cgroups with those limits: a
# process that needs more memory is killed (137), a fork loop hits the process limit, and the
# empty cgroups left after exit are removed by `bale store gc`.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
  v2=1
  for c in memory cpu pids; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || skip "the cgroup v2 $c controller is not available"
  done
else
  v2=0
  for c in memory cpu pids; do
    grep -qE "^[0-9]+ .* - cgroup [^ ]+ ([^ ]*,)?$c(,|$)" /proc/self/mountinfo ||
      skip "the cgroup v1 $c controller is not mounted"
  done
fi

run_root root
"$BALE" pack root -o img.bale 2>/dev/null

# cgroup_dir PID CONTROLLER: the directory of PID's cgroup for CONTROLLER.
cgroup_dir() {
  local path
  if [ "$v2" = 1 ]; then
    path=$(sed -n 's/^0:://p' /proc/"$1"/cgroup)
    echo "/sys/fs/cgroup$path"
  else
    path=$(grep -E "^[0-9]+:([^:]*,)?$2(,[^:]*)?:" /proc/"$1"/cgroup | cut -d: -f3-)
    echo "/sys/fs/cgroup/$2$path"
  fi
}

# --- The limits, read from the cgroups of a running container.
mkdir share
"$BALE" run --memory 32m --cpus 0.5 --pids 20 -v "$T/share:/share" img.bale \
  sh -c 'touch /share/up; while [ ! -e /share/stop ]; do sleep 0.1; done' 2>err &
pid=$!
at_exit "kill -9 $pid"
wait_for 20 test -e share/up || fail "the limited container did not start: $(cat err)"
mem=$(cgroup_dir "$pid" memory)
cpu=$(cgroup_dir "$pid" cpu)
pids=$(cgroup_dir "$pid" pids)
for d in "$mem" "$cpu" "$pids"; do
  [ "$(basename "$d")" = "bale-$pid" ] || fail "the target's cgroup is '$d', not bale-$pid"
done
if [ "$v2" = 1 ]; then
  [ "$(cat "$mem/memory.max")" = 33554432 ] || fail "memory.max is $(cat "$mem/memory.max")"
  [ "$(cat "$cpu/cpu.max")" = "50000 100000" ] || fail "cpu.max is $(cat "$cpu/cpu.max")"
else
  [ "$(cat "$mem/memory.limit_in_bytes")" = 33554432 ] || fail "memory.limit_in_bytes is $(cat "$mem/memory.limit_in_bytes")"
  [ "$(cat "$cpu/cpu.cfs_quota_us")/$(cat "$cpu/cpu.cfs_period_us")" = 50000/100000 ] ||
    fail "cpu quota/period is $(cat "$cpu/cpu.cfs_quota_us")/$(cat "$cpu/cpu.cfs_period_us")"
fi
[ "$(cat "$pids/pids.max")" = 20 ] || fail "pids.max is $(cat "$pids/pids.max")"
touch share/stop
wait "$pid" || fail "the limited container exited $?: $(cat err)"
made=("$mem" "$cpu" "$pids")

# --- Memory: 100 MB of anonymous memory (dd's buffer) is killed under 32m and fine without.
"$BALE" run img.bale dd if=/dev/zero of=/dev/null bs=100M count=1 2>err ||
  fail "dd with a 100 MB buffer failed without a limit: $(cat err)"
rc=0
"$BALE" run --memory 32m img.bale dd if=/dev/zero of=/dev/null bs=100M count=1 2>err &
mpid=$!
{ wait "$mpid"; } 2>/dev/null || rc=$?
[ "$rc" -eq 137 ] || fail "dd with a 100 MB buffer under --memory 32m exited $rc, expected 137: $(cat err)"
made+=("$(dirname "$mem")/bale-$mpid")

# --- Processes: 30 background sleeps need more than --pids 10.
# shellcheck disable=SC2016  # expanded by the container's shell
fork_loop='for i in $(seq 30); do sleep 1 & done; wait'
"$BALE" run img.bale sh -c "$fork_loop" 2>err || fail "the fork loop failed without a limit: $(cat err)"
rc=0
"$BALE" run --pids 10 img.bale sh -c "$fork_loop" 2>err &
ppid_=$!
{ wait "$ppid_"; } 2>/dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "30 processes under --pids 10 succeeded"
grep -qi 'fork' err || fail "the fork loop under --pids 10 failed without a fork error: $(cat err)"
pgroup="$(dirname "$pids")/bale-$ppid_"
made+=("$pgroup")
# The loop's orphaned sleeps end within a second; the cgroup can go once init has reaped them.
orphans=$(cat "$pgroup/cgroup.procs")
reaped() { local p; for p in $orphans; do [ ! -e "/proc/$p" ] || return 1; done; }
wait_for 30 reaped || fail "the fork loop's processes are still there: $orphans"

# --- gc removes the empty cgroups that the runs left (unless another test's gc just did).
left=0
for d in "${made[@]}"; do [ ! -d "$d" ] || left=$((left + 1)); done
"$BALE" store gc >gc.out 2>err || fail "bale store gc failed: $(cat err)"
for d in "${made[@]}"; do [ ! -d "$d" ] || fail "gc left the empty cgroup '$d'"; done
if [ "$left" -gt 0 ]; then
  n=$(sed -n 's/^removed \([0-9]*\) empty cgroups$/\1/p' gc.out)
  [ "${n:-0}" -ge "$left" ] || fail "gc removed $left of this test's cgroups but reported: $(cat gc.out)"
fi
exit 0
