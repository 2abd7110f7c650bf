#!/bin/bash
# `bale inspect` reads only the end of an image: on a 1 TiB (sparse) image it answers at once,
# reading a few KiB, with the config, sizes and signer; it checks no signature (verify does).
. "$(dirname "$0")/lib.sh"
need python3

make_busybox_root root
"$BALE" pack root -o small.bale -e WHERE=trailer 2>/dev/null
fingerprint=$("$BALE" key | sed -n 2p)

# A 1 TiB file: gzip magic, a hole, then small.bale's trailer with the footer moved along.
python3 - small.bale big.bale <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
body, signed, siglen = (int(x) for x in data[-72:-10].split()[2:])
head, sig = data[body:signed], data[signed:signed + siglen]
new_body = 1 << 40
footer = "bale-image 1 %20d %20d %6d\n" % (new_body, new_body + len(head), siglen)
with open(sys.argv[2], "wb") as f:
    f.write(b"\x1f\x8b")
    f.seek(new_body)
    f.write(head + sig + b"bf" + struct.pack("<H", 62) + footer.encode() + data[-10:])
PY
size=$(stat -c %s big.bale)
[ "$(du -k big.bale | cut -f1)" -lt 1024 ] || skip "this file system does not keep sparse files"

timeout 60 "$BALE" inspect --json big.bale >info.json 2>err || fail "inspect of a 1 TiB image: $(cat err)"
[ "$(json_get info.json 'j["body_size"]')" = 1099511627776 ] || fail "body_size $(json_get info.json 'j["body_size"]')"
[ "$(json_get info.json 'j["file_size"]')" = "$size" ] || fail "file_size $(json_get info.json 'j["file_size"]')"
[ "$(json_get info.json 'j["config"]["config"]["Env"]')" = '["WHERE=trailer"]' ] || fail "config not read"
[ "$(json_get info.json 'j["signer"]["fingerprint"]')" = "$fingerprint" ] || fail "signer not read"
timeout 60 "$BALE" inspect big.bale >human 2>err || fail "inspect (text) of a 1 TiB image: $(cat err)"
grep -q "^signer: *$fingerprint" human || fail "inspect text lacks the signer: $(cat human)"
grep -q 'not checked' human || fail "inspect text does not say the signature is unchecked: $(cat human)"

# Bytes actually read, where strace can count them.
if command -v strace >/dev/null; then
  strace -f -e trace=read,pread64,readv,preadv,preadv2 -o trace "$BALE" inspect big.bale >/dev/null 2>&1
  read_bytes=$(awk -F'= ' '/= [0-9]+$/ { n += $NF } END { print n + 0 }' trace)
  [ "$read_bytes" -lt 1048576 ] || fail "inspect read $read_bytes bytes"
fi

# A plain tar.gz: unsigned, said so, exit 0.
tar -czf plain.tar.gz -C root .
"$BALE" inspect plain.tar.gz >human || fail "inspect of a plain tar.gz failed"
grep -q '^signed: *no' human || fail "inspect of a plain tar.gz says: $(cat human)"
exit 0
