#!/usr/bin/env bash
# Registry benchmarks, bale beside its peers against one local docker-registry (TLS, a throwaway
# CA), printing ratios:
#   cold pull of a multi-layer image   bale pull  vs  skopeo copy docker:// oci:   (target <= 0.8x)
#                                                 vs  podman pull                  (target <= 0.5x)
#   warm pull of the same image        bale pull: requests made (target: 1 manifest, 0 blobs)
#   push of a ~100 MB bale image       bale push  vs  skopeo copy docker-archive: docker://
#                                                                                  (target <= 1.0x)
# The image is made of real files from the host's /usr, one layer per directory.
# One more cold pull with BALE_PULL_TIMES=1 says when each of its phases ended.
# usage: bench/registry.sh [RUNS]   (as root; after scripts/setup --bench; BALE=FILE for another
# bale binary, e.g. an older build to compare with)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
runs=${1:-3}
bale=${BALE:-$src/build/bale}
w=$(mktemp -d /var/tmp/bale-bench-reg.XXXXXX)
pids=()
podman_clean() {
  umount "$w"/podman/*/overlay 2>/dev/null || true
  rm -rf "$w/podman"
}
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  podman_clean
  wait 2>/dev/null || true
  rm -rf "$w"
}
trap cleanup EXIT
export BALE_CONFIG_DIR=$w/config  # the registry needs no credentials: docker's config.json is left as it is
for tool in docker-registry skopeo podman openssl python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench/registry.sh needs $tool (scripts/setup --bench)" >&2; exit 1; }
done

. bench/lib.sh
# median_after_ms PREP CMD...: the median wall time of RUNS runs of CMD, each after PREP (a
# command string, untimed); a failing run stops the benchmark.
median_after_ms() {
  local prep=$1 t=() s e
  shift
  for _ in $(seq "$runs"); do
    eval "$prep"
    s=$(date +%s%N); "$@" >/dev/null 2>"$w/.err" || { echo "failed: $*: $(tail -3 "$w/.err")" >&2; exit 1; }; e=$(date +%s%N)
    t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1000}'
}

machine

# The registry: TLS from a throwaway CA, no auth, its own storage.
mkdir -p "$w/ca" "$w/data"
(cd "$w/ca" &&
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench-ca -keyout ca.key -out ca.crt &&
  openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr &&
  printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
    -out server.crt) >/dev/null 2>&1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
reg=127.0.0.1:$port
cat >"$w/registry.yml" <<YML
version: 0.1
log: {level: info, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $w/data}, delete: {enabled: true}}
http: {addr: $reg, secret: bench, tls: {certificate: $w/ca/server.crt, key: $w/ca/server.key}}
YML
docker-registry serve "$w/registry.yml" >"$w/registry.log" 2>&1 &
pids+=($!)
mkdir -p "$BALE_CONFIG_DIR/certs.d/$reg" "$w/certs/$reg"
cp "$w/ca/ca.crt" "$BALE_CONFIG_DIR/certs.d/$reg/ca.crt"
cp "$w/ca/ca.crt" "$w/certs/$reg/ca.crt"
for _ in $(seq 100); do curl -s -o /dev/null --cacert "$w/ca/ca.crt" "https://$reg/v2/" && break; sleep 0.1; done

# The image: a docker-archive with one layer per /usr directory, pushed by skopeo (gzip).
mkdir -p "$w/archive"
layers=()
for d in usr/share/doc usr/include usr/share/locale usr/lib/python3 usr/share/perl usr/share/i18n; do
  [ -d "/$d" ] || continue
  n=${#layers[@]}
  tar -C / -cf "$w/archive/layer$n.tar" "$d" 2>/dev/null || true
  layers+=("layer$n.tar")
done
python3 - "$w/archive" "${layers[@]}" <<'PY'
import hashlib, json, os, sys
d, layers = sys.argv[1], sys.argv[2:]
def sha(p):
    h = hashlib.sha256()
    with open(os.path.join(d, p), "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""): h.update(b)
    return "sha256:" + h.hexdigest()
cfg = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/usr/bin/true"]},
       "rootfs": {"type": "layers", "diff_ids": [sha(l) for l in layers]}}
data = json.dumps(cfg).encode()
name = hashlib.sha256(data).hexdigest() + ".json"
open(os.path.join(d, name), "wb").write(data)
json.dump([{"Config": name, "RepoTags": ["bench:1"], "Layers": layers}], open(os.path.join(d, "manifest.json"), "w"))
PY
tar -C "$w/archive" -cf "$w/image.tar" .
rm -rf "$w/archive"
skopeo copy -q --dest-cert-dir "$w/certs/$reg" "docker-archive:$w/image.tar" "docker://$reg/bench/usr:1"
compressed=$(du -sm "$w/data" | cut -f1)
ref=$reg/bench/usr:1
"$bale" trust registry add "$reg/bench" >/dev/null

echo
echo "== cold pull: ${#layers[@]} layers, ${compressed} MB compressed in the registry =="
bale_ms=$(median_after_ms "rm -rf '$w/store'" env BALE_STORE="$w/store" "$bale" pull -q "$ref")
skopeo_ms=$(median_after_ms "rm -rf '$w/oci'" skopeo copy -q --src-cert-dir "$w/certs/$reg" "docker://$ref" "oci:$w/oci:bench")
driver=overlay
P=(podman --root "$w/podman/root" --runroot "$w/podman/run" --storage-driver overlay --events-backend none)
if ! "${P[@]}" info >/dev/null 2>&1; then
  driver=vfs
  P=(podman --root "$w/podman/root" --runroot "$w/podman/run" --storage-driver vfs --events-backend none)
fi
podman_clean
podman_ms=$(median_after_ms podman_clean "${P[@]}" pull -q --cert-dir "$w/certs/$reg" "$ref")
podman_clean
printf '%-44s %8s ms\n' "bale pull" "$bale_ms" "skopeo copy docker:// oci:" "$skopeo_ms" \
  "podman pull ($driver storage)" "$podman_ms"
echo "ratio bale pull/skopeo copy: $(ratio "$bale_ms" "$skopeo_ms")   (target <= 0.80)"
echo "ratio bale pull/podman pull: $(ratio "$bale_ms" "$podman_ms")   (target <= 0.50)"
rm -rf "$w/store"
BALE_PULL_TIMES=1 BALE_STORE="$w/store" "$bale" pull -q "$ref" 2>&1 >/dev/null | grep '^pull times' || true

echo
echo "== warm pull: the same image again =="
before_m=$(grep -c 'GET /v2/bench/usr/manifests/' "$w/registry.log" || true)
before_b=$(grep -c 'GET /v2/bench/usr/blobs/' "$w/registry.log" || true)
warm_ms=$(median_after_ms ":" env BALE_STORE="$w/store" "$bale" pull -q "$ref")
after_m=$(grep -c 'GET /v2/bench/usr/manifests/' "$w/registry.log" || true)
after_b=$(grep -c 'GET /v2/bench/usr/blobs/' "$w/registry.log" || true)
printf '%-44s %8s ms\n' "bale pull (unchanged image)" "$warm_ms"
echo "requests per warm pull: $(( (after_m - before_m) / runs )) manifest, $(( (after_b - before_b) / runs )) blob   (target: 1, 0)"

echo
echo "== push: a bale image of the same files =="
mkdir -p "$w/tree"
for d in usr/lib/x86_64-linux-gnu usr/share/doc; do cp -a "/$d" "$w/tree/" 2>/dev/null || true
  [ "$(du -sm "$w/tree" | cut -f1)" -ge 300 ] && break; done
"$bale" pack "$w/tree" -o "$w/push.bale" 2>/dev/null
"$bale" export "$w/push.bale" -o "$w/push.tar" 2>/dev/null
rm -rf "$w/tree"
size_mb=$(( $(stat -c %s "$w/push.bale") / 1000000 ))
wipe="rm -rf '$w/data/docker/registry/v2/repositories/bench/push' '$w/data/docker/registry/v2/blobs'"
bpush_ms=$(median_after_ms "$wipe" "$bale" push "$w/push.bale" "$reg/bench/push:1")
spush_ms=$(median_after_ms "$wipe" skopeo copy -q --dest-cert-dir "$w/certs/$reg" "docker-archive:$w/push.tar" "docker://$reg/bench/push:1")
printf '%-44s %8s ms\n' "bale push (${size_mb} MB image)" "$bpush_ms" \
  "skopeo copy docker-archive: docker://" "$spush_ms"
echo "ratio bale push/skopeo copy: $(ratio "$bpush_ms" "$spush_ms")   (target <= 1.00)"
