#!/usr/bin/env bash
# Project commands' start-up, printing ratios (vagga, the tool this feature follows, is not in
# Debian, so the comparison is with bale's own `bale run`, the floor a project command builds on):
#   bale NAME running /bin/true, container up to date   vs  warm bale run of the same image
#   a supervise command of 3 children running /bin/true vs  3 x one such command
#   the first command after touching one copied file    (the builder's step cache at work)
# The project: 10,000 files; the container's Dockerfile has 10 steps and COPYs a 1,000-file
# directory. Median of RUNS (default 50).
# usage: bench/project.sh [RUNS]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
bale=$PWD/build/bale
w=$(mktemp -d /var/tmp/bale-bench-project.XXXXXX)
trap 'rm -rf "$w"' EXIT
export BALE_CONFIG_DIR=$w/config BALE_STORE=$w/store

. bench/lib.sh

machine
p=$w/proj
mkdir -p "$p/assets" "$p/src"
cp /bin/busybox "$p/"
(cd "$p/assets" && seq 1000 | xargs touch)
(cd "$p/src" && seq 8996 | xargs touch)
{
  echo 'FROM scratch'
  echo 'COPY busybox /bin/busybox'
  echo 'RUN ["/bin/busybox", "--install", "-s", "/bin"]'
  echo 'ENV A=1'
  echo 'RUN mkdir /x'
  echo 'WORKDIR /x'
  echo 'COPY assets /assets'
  echo 'RUN ls /assets | wc -l >/count'
  echo 'ENV B=2'
  echo 'LABEL bench=project'
} >"$p/Dockerfile"
cat >"$p/bale.yaml" <<'Y'
containers:
  bb: {dockerfile: Dockerfile}
commands:
  true: {run: [/bin/true]}
  t1: {run: [/bin/true]}
  t2: {run: [/bin/true]}
  t3: {run: [/bin/true]}
  three: {supervise: {mode: wait-all-successful, children: [t1, t2, t3]}}
Y
cd "$p"
echo "files in the project: $(find . -type f | wc -l)"
"$bale" true 2>/dev/null
name=$("$bale" images | awk '$1 ~ /^bale-project\// {print $1 ":" $2; exit}')
"$bale" run "$name" /bin/true

run_ms=$(median_ms "$bale" run "$name" /bin/true)
cmd_ms=$(median_ms "$bale" true)
sup_ms=$(median_ms "$bale" three)
printf '%-58s %8s ms\n' "warm bale run IMAGE /bin/true" "$run_ms"
printf '%-58s %8s ms  (+%s ms, %sx)\n' "bale true (10,000-file project, up to date)" "$cmd_ms" \
  "$(awk -v a="$cmd_ms" -v b="$run_ms" 'BEGIN {printf "%.2f", a - b}')" "$(ratio "$cmd_ms" "$run_ms")"
printf '%-58s %8s ms  (%sx one command)\n' "bale three (supervise, 3 children of /bin/true)" "$sup_ms" "$(ratio "$sup_ms" "$cmd_ms")"
runs=5
touch_ms=$(median_ms sh -c "touch '$p/assets/7'; '$bale' true")
printf '%-58s %8s ms\n' "bale true after touching one copied file (builder check)" "$touch_ms"
