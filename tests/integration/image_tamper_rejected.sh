#!/bin/bash
# Any change to an image file is caught by `bale verify`: a flipped bit anywhere (body, config,
# signature, footer, last byte), truncation, appended or prepended bytes. Each is exit 1 with a
# message that names the file; changes to signed bytes say "bad signature", and a signed image is
# never taken for a plain tar.gz (whose hint, `bale sign`, would bless the change).
. "$(dirname "$0")/lib.sh"

make_busybox_root root
head -c 1500000 /dev/urandom >root/blob     # a body of more than one gzip member
"$BALE" pack root -o img.bale -e GREETING=hello -l org.example.tamper=yes 2>/dev/null
"$BALE" verify img.bale >/dev/null 2>&1 || fail "the untouched image does not verify"
read -r body signed siglen < <(footer img.bale)
size=$(stat -c %s img.bale)
config_at=$(grep -abo 'GREETING=hello' img.bale | cut -d: -f1)
[ -n "$config_at" ] || fail "config text not found in the trailer"

# rejected HOW PATTERN: verify the tampered copy t.bale; it must fail naming the file.
rejected() {
  expect_fail 1 "^bale: 't\.bale': ($2)" "$BALE" verify t.bale
  grep -q 'internal error' "$T/.err" && fail "$1: internal error: $(cat "$T/.err")"
  grep -q '^trusted: yes' "$T/.out" && fail "$1: stdout claims trust: $(cat "$T/.out")"
  return 0
}

# The gzip magic: no longer gzip at all.
for at in 0 1; do
  cp img.bale t.bale && flip_byte t.bale "$at"
  rejected "flip at $at" 'not an image'
done
# Signed bytes of the body: the rest of the first member's header (flags, OS, the 'bl' length),
# its deflate data, the middle, the last byte; then the config text inside the trailer.
for at in 3 9 12 16 20 100 $((body / 2)) $((body - 9)) $((body - 1)) "$config_at"; do
  cp img.bale t.bale && flip_byte t.bale "$at"
  rejected "flip at $at" 'bad signature'
done
# Signed bytes that carry the trailer's structure: its member header, the subfield ids.
for at in "$body" $((body + 3)) $((body + 12)) $((signed - 20)) $((signed - 1)); do
  cp img.bale t.bale && flip_byte t.bale "$at"
  rejected "flip at $at" 'bad signature|damaged trailer'
done
# Spread over the whole file, every position class included.
for i in $(seq 1 40); do
  cp img.bale t.bale && flip_byte t.bale $((size * i / 41))
  rejected "flip at $((size * i / 41))" 'bad signature|damaged|not an image'
done
# The signature itself, its armor, the footer subfield and the footer's own bytes.
for at in "$signed" $((signed + 40)) $((signed + siglen / 2)) $((signed + siglen - 2)) \
  $((signed + siglen)) $((size - 72)) $((size - 50)) $((size - 12)) $((size - 11)) \
  $((size - 10)) $((size - 5)) $((size - 1)); do
  cp img.bale t.bale && flip_byte t.bale "$at"
  rejected "flip at $at (after the signed bytes)" 'bad signature|damaged'
done

# Truncated, extended, prefixed.
head -c $((size - 1)) img.bale >t.bale && rejected "truncated by one byte" 'damaged: a bale image whose end is missing'
head -c $((size / 2)) img.bale >t.bale && rejected "truncated by half" 'damaged: a bale image whose end is missing'
head -c "$signed" img.bale >t.bale && rejected "cut at the signature" 'damaged: a bale image whose end is missing'
{ cat img.bale; printf x; } >t.bale && rejected "one byte appended" 'damaged: a signed bale image with 1 byte added after its end'
{ cat img.bale; tail -c 72 img.bale; } >t.bale && rejected "footer repeated" 'damaged trailer'
{ cat img.bale; printf '\037\213\010\000\000\000\000\000\000\377\003\000\000\000\000\000\000\000\000\000'; } >t.bale &&
  rejected "empty gzip member appended" 'damaged: a signed bale image with 20 bytes added after its end'
grep -q 'bale sign' "$T/.err" && fail "a damaged image is offered 'bale sign': $(cat "$T/.err")"
# bale run refuses it too, with --insecure as well, and inspect says what it is.
expect_fail 125 "^bale: 't\.bale': damaged: a signed bale image with 20 bytes" env BALE_STORE="$T/store" "$BALE" run --insecure t.bale /bin/true
"$BALE" inspect t.bale >"$T/.out" 2>&1 && fail "inspect of a damaged image exits 0"
grep -q '^damaged: ' "$T/.out" || fail "inspect does not say the image is damaged: $(cat "$T/.out")"
{ cat img.bale img.bale; } >t.bale && rejected "image appended to itself" 'damaged trailer|bad signature'
{ printf '\037\213\010\000\000\000\000\000\000\377\003\000\000\000\000\000\000\000\000\000'; cat img.bale; } >t.bale &&
  rejected "empty gzip member prepended" 'damaged trailer|bad signature'

# None of this touched the original.
"$BALE" verify img.bale >/dev/null 2>&1 || fail "the original image no longer verifies"
exit 0
