#!/usr/bin/env bash
# A one-shot host app beside a warm `bale run` of its target image alone, printing the ratio:
#   app: delta image over 2 layers over a busybox base, one --include-path and one
#        --include-tar, target /bin/true
#   run: bale run of the busybox base image, /bin/true
#   resumed app (same stack, --resume): a call that joins the running instance
#   and podman run --rm of the same base where podman can start containers here.
# Interleaved rounds (bench/alternate.c), median of RUNS (default 200). The goal (issue 11):
# app <= 1.2 x run: the layers are overlay lowers, nothing is copied at launch; a resumed
# app's later call <= 1.2 x run.
# usage: bench/apps.sh [RUNS]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
runs=${1:-200}
bale=$src/build/bale
w=$(mktemp -d /var/tmp/bale-bench-apps.XXXXXX)
cleanup() {
  [ -x "$w/bin/appres" ] && "$bale" app stop appres -t 1 >/dev/null 2>&1 || true
  [ -n "${podman_img:-}" ] && podman rmi -f "$podman_img" >/dev/null 2>&1 || true
  rm -rf "$w"
}
trap cleanup EXIT
export BALE_CONFIG_DIR=$w/config BALE_STORE=$w/store BALE_RUN_DIR=$w/run
. bench/lib.sh

machine
mkdir -p "$w/bb/bin" "$w/bb/etc" "$w/bb/tmp" "$w/l1/etc" "$w/l2/etc" "$w/delta/etc" "$w/inc" "$w/bin"
cp /bin/busybox "$w/bb/bin/"
for a in sh true; do ln -s busybox "$w/bb/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$w/bb/etc/passwd"
for l in l1 l2 delta; do echo "$l" >"$w/$l/etc/layer"; done
echo cert >"$w/inc/ca.pem"
mkdir -p "$w/tarred/opt" && echo tool >"$w/tarred/opt/tool" && tar -C "$w/tarred" -czf "$w/inc.tgz" .
for d in bb l1 l2 delta; do "$bale" pack "$w/$d" -o "$w/$d.bale" 2>/dev/null; done
"$bale" app register --app "$w/bin/apptrue" --image "$w/delta.bale" --layer "$w/l1.bale" \
  --layer "$w/l2.bale" --base "$w/bb.bale" --include-path "$w/inc" --include-tar "$w/inc.tgz" \
  --target /bin/true >/dev/null
"$bale" app register --app "$w/bin/appres" --image "$w/delta.bale" --layer "$w/l1.bale" \
  --layer "$w/l2.bale" --base "$w/bb.bale" --include-path "$w/inc" --include-tar "$w/inc.tgz" \
  --target /bin/true --resume >/dev/null
"$w/bin/appres" && "$w/bin/apptrue" && "$bale" run "$w/bb.bale" /bin/true   # both warm: verified and unpacked
cc -O2 -o "$w/alternate" "$src/bench/alternate.c"

cmds=("$w/bin/apptrue" ';;' "$bale" run "$w/bb.bale" /bin/true ';;' "$w/bin/appres")
podman_img=""
if command -v podman >/dev/null && podman_img=$(podman import -q "$w/bb.bale" bale-bench-apps 2>/dev/null) &&
   podman run --rm --network host "$podman_img" /bin/true >/dev/null 2>&1; then
  cmds+=(';;' podman run --rm --network host "$podman_img" /bin/true)
else
  podman_img=""
fi
mapfile -t res < <("$w/alternate" "$runs" "${cmds[@]}")
app=${res[0]%% *} run=${res[1]%% *}
printf '%-58s %8s ms\n' "one-shot app (base + 2 layers + delta + 2 includes, /bin/true)" "$app"
printf '%-58s %8s ms\n' "warm bale run of the base image, /bin/true" "$run"
res_ms=${res[2]%% *}
printf '%-58s %8s ms\n' "resumed app, a call joining its instance" "$res_ms"
[ -n "$podman_img" ] && printf '%-58s %8s ms\n' "podman run --rm of the same image" "${res[3]%% *}"
[ -z "$podman_img" ] && echo "podman cannot start containers here: see shared/bench/README.md for its figure"
echo "one-shot app / run: $(ratio "$app" "$run")x (goal: <= 1.2x)"
echo "resumed app / run: $(ratio "$res_ms" "$run")x (goal: <= 1.2x)"
