# shellcheck shell=bash
# What the benchmarks share; sourced after each sets $runs.

# machine: the line every benchmark starts with, for docs/benchmarks.md.
machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
       "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
}

# median_ms CMD...: the median wall time of $runs runs of CMD, in ms (its output dropped, its
# failures counted as runs). With warmup=1, one untimed run first.
median_ms() {
  local t=() s e
  [ "${warmup:-0}" = 1 ] && { "$@" >/dev/null 2>&1 || true; }
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
