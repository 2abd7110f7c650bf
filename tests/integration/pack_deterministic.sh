#!/bin/bash
# With SOURCE_DATE_EPOCH set, packing is reproducible to the byte: the same tree gives the same
# file whatever its creation order, inode numbers, newer mtimes or locale; new content does not.
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=1000000000      # 2001-09-09T01:46:40Z, older than any file made here
mkdir a b
make_busybox_root a/root
make_rich_tree a/root
# The same tree made in another order, so directory order and inode numbers differ.
mkdir b/root
(cd a/root && find . -mindepth 1 | LC_ALL=C sort -r) >order
tar -C a/root --no-recursion -cf - -T order | tar -C b/root -xf -
same_tree a/root b/root

"$BALE" pack a/root -o one.bale 2>/dev/null
"$BALE" pack a/root -o two.bale 2>/dev/null
cmp one.bale two.bale || fail "two packs of one tree differ"
"$BALE" pack b/root -o copy.bale 2>/dev/null
cmp one.bale copy.bale || fail "a copy of the tree packs differently"
LC_ALL=C.UTF-8 LANG=C.UTF-8 "$BALE" pack a/root -o utf8.bale 2>/dev/null
LC_ALL=C LANG=C "$BALE" pack a/root -o c.bale 2>/dev/null
cmp utf8.bale c.bale || fail "the locale changes the image"

"$BALE" inspect --json one.bale >info.json
[ "$(json_get info.json 'j["config"]["created"]')" = 2001-09-09T01:46:40Z ] ||
  fail "created is $(json_get info.json 'j["config"]["created"]'), not SOURCE_DATE_EPOCH"
tar -tvzf one.bale --full-time >listing 2>/dev/null
grep -v ' 2001-09-09 01:46:40 ' listing >newer || true
[ ! -s newer ] || fail "entries newer than SOURCE_DATE_EPOCH: $(head -3 newer)"

# A newer mtime is clamped away: same image.
touch a/root/etc/hostname.conf
"$BALE" pack a/root -o touched.bale 2>/dev/null
cmp one.bale touched.bale || fail "touching a file changed the clamped image"

# Other content, other mode, or another key: another image.
echo changed >>a/root/etc/hostname.conf
"$BALE" pack a/root -o changed.bale 2>/dev/null
cmp -s one.bale changed.bale && fail "changed content packed to the same image"
"$BALE" inspect --json changed.bale >changed.json
[ "$(json_get info.json 'j["digest"]')" != "$(json_get changed.json 'j["digest"]')" ] ||
  fail "changed content kept the digest"
chmod 0600 b/root/etc/empty
"$BALE" pack b/root -o mode.bale 2>/dev/null
cmp -s copy.bale mode.bale && fail "a mode change packed to the same image"
ssh-keygen -q -t ed25519 -N '' -f other
"$BALE" pack a/root -o other-key.bale --key other 2>/dev/null
cmp -s changed.bale other-key.bale && fail "another key signed to the same image"
read -r body1 _ < <(footer changed.bale)
read -r body2 _ < <(footer other-key.bale)
[ "$body1" -eq "$body2" ] && cmp -n "$body1" changed.bale other-key.bale || fail "the body depends on the key"
exit 0
