#!/usr/bin/env bash
# Image benchmarks, bale beside its peers in one run, printing ratios:
#   verify  of a >=100 MB image   vs  openssl dgst -sha512 of the same file   (target <= 1.1x)
#   pack    of a >=300 MB tree    vs  tar -c | gzip -6                        (target <= 0.5x time,
#                                                                              <= 1.01x size)
#   inspect reads O(1) bytes: bytes read for images of 1 MB, 100+ MB and 300+ MB
# usage: bench/image.sh [RUNS]   (as root; after scripts/setup --bench)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
bale=$PWD/build/bale
w=$(mktemp -d /var/tmp/bale-bench.XXXXXX)
trap 'rm -rf "$w"' EXIT
export BALE_CONFIG_DIR=$w/config

warmup=1
. bench/lib.sh

machine

# A tree of real files from the host's /usr, at least 300 MB (whole directories are copied).
tree=$w/tree
mkdir -p "$tree"
for d in /usr/lib/x86_64-linux-gnu /usr/share /usr/lib/gcc /usr/libexec; do
  [ -d "$d" ] && cp -a "$d" "$tree/" 2>/dev/null || true
  [ "$(du -sm "$tree" | cut -f1)" -ge 330 ] && break
done
tree_mb=$(du -sm "$tree" | cut -f1)

echo
echo "== pack: ${tree_mb} MB tree (real files from /usr) =="
pack_ms=$(median_ms "$bale" pack "$tree" -o "$w/tree.bale")
tgz_ms=$(median_ms sh -c "tar -C '$tree' -c . | gzip -6 > '$w/tree.tgz'")
pigz_ms=$(median_ms sh -c "tar -C '$tree' -c . | pigz -6 > '$w/tree.pigz.tgz'")
bsize=$(stat -c %s "$w/tree.bale"); gsize=$(stat -c %s "$w/tree.tgz")
printf '%-34s %9s ms  %12s bytes\n' "bale pack" "$pack_ms" "$bsize"
printf '%-34s %9s ms  %12s bytes\n' "tar -c | gzip -6" "$tgz_ms" "$gsize"
printf '%-34s %9s ms  %12s bytes\n' "tar -c | pigz -6 (context)" "$pigz_ms" "$(stat -c %s "$w/tree.pigz.tgz")"
echo "ratio time bale/tar|gzip: $(ratio "$pack_ms" "$tgz_ms")   (target <= 0.50)"
echo "ratio size bale/tar|gzip: $(ratio "$bsize" "$gsize")   (target <= 1.01)"

echo
echo "== verify: $((bsize / 1000000)) MB image =="
v_ms=$(median_ms "$bale" verify "$w/tree.bale")
o_ms=$(median_ms openssl dgst -sha512 "$w/tree.bale")
printf '%-34s %9s ms\n' "bale verify" "$v_ms" "openssl dgst -sha512" "$o_ms"
echo "ratio bale verify/openssl: $(ratio "$v_ms" "$o_ms")   (target <= 1.10)"

echo
echo "== inspect: bytes read (strace) =="
mkdir -p "$w/small/bin"; cp /bin/busybox "$w/small/bin/"
"$bale" pack "$w/small" -o "$w/small.bale" 2>/dev/null
head -c 100000000 /dev/urandom > "$tree/random.bin"
"$bale" pack "$tree" -o "$w/big.bale" 2>/dev/null
for img in small.bale tree.bale big.bale; do
  bytes=$(strace -qq -e trace=pread64,read -e signal=none "$bale" inspect "$w/$img" 2>&1 >/dev/null |
          awk -v img="$img" '/^pread64|^read/ && $0 !~ /ELF/ {n=$NF; if (n ~ /^[0-9]+$/) s+=n} END {print s+0}')
  printf '%-12s %12s bytes file  %8s bytes read by bale inspect (all files, incl. key/trust)\n' \
    "$img" "$(stat -c %s "$w/$img")" "$bytes"
done
