#!/bin/bash
# Packed images follow docs/image-format.md byte for byte, as read by an independent parser
# (baleformat.py): 1 MiB body members with 'bl' lengths, the trailer's subfields in order, a config
# split over members when it passes 64 KiB, digest = sha256(config), diff_id = sha256(tar).
. "$(dirname "$0")/lib.sh"
need python3

make_busybox_root root
make_rich_tree root

# check_image IMAGE: the parser accepts it and agrees with `bale inspect` and `bale verify`.
check_image() {
  baleformat check "$1" >"$1.fmt" 2>"$1.err" || fail "$1 breaks the format: $(cat "$1.err")"
  "$BALE" inspect --json "$1" >"$1.info"
  "$BALE" verify "$1" >/dev/null 2>"$1.err" || fail "$1 does not verify: $(cat "$1.err")"
  for k in tar_size entries config; do
    [ "$(json_get "$1.fmt" "j[\"$k\"]")" = "$(json_get "$1.info" "j[\"$k\"]")" ] ||
      fail "$1: $k is $(json_get "$1.fmt" "j[\"$k\"]") in the file, inspect says $(json_get "$1.info" "j[\"$k\"]")"
  done
  [ "$(json_get "$1.fmt" 'j["body"]')" = "$(json_get "$1.info" 'j["body_size"]')" ] || fail "$1: body size differs"
  [ "$(json_get "$1.info" 'j["digest"]')" = "sha256:$(baleformat config "$1" | sha256sum | cut -d' ' -f1)" ] ||
    fail "$1: digest $(json_get "$1.info" 'j["digest"]') is not the sha256 of the stored config"
  [ "$(json_get "$1.info" 'j["config"]["rootfs"]["diff_ids"]')" = "[\"sha256:$(gzip -dc "$1" | sha256sum | cut -d' ' -f1)\"]" ] ||
    fail "$1: diff_ids is not the sha256 of the tar"
  [ "$(json_get "$1.info" 'j["file_size"]')" -eq "$(stat -c %s "$1")" ] || fail "$1: file_size is wrong"
}

"$BALE" pack root -o img.bale 2>/dev/null
check_image img.bale
tar_size=$(json_get img.bale.fmt 'j["tar_size"]')
[ "$(json_get img.bale.fmt 'len(j["members"])')" -eq $(((tar_size + 1048575) / 1048576)) ] ||
  fail "$(json_get img.bale.fmt 'len(j["members"])') body members for $tar_size bytes of tar"
[ "$(json_get img.bale.fmt 'j["entries"]')" -eq "$(find root -mindepth 1 | wc -l)" ] ||
  fail "the trailer counts $(json_get img.bale.fmt 'j["entries"]') entries, the tree has $(find root -mindepth 1 | wc -l)"

# A config too big for one gzip extra field (65535 bytes) is spread over several members.
labels=() value=$(printf 'v%.0s' $(seq 60))
for i in $(seq 1 1500); do labels+=(-l "org.example.label-$i=$value"); done
"$BALE" pack root -o big-config.bale "${labels[@]}" 2>/dev/null
check_image big-config.bale
[ "$(json_get big-config.bale.info 'len(j["config"]["config"]["Labels"])')" -eq 1500 ] ||
  fail "labels lost from a big config"

# The edges: an empty tree, and a tar of exactly one chunk.
mkdir empty
"$BALE" pack empty -o empty.bale 2>/dev/null
check_image empty.bale
[ "$(json_get empty.bale.fmt 'j["entries"]')" -eq 0 ] || fail "an empty tree has entries"
mkdir exact
# 512 header + data + 1024 end blocks = 1 MiB of tar
head -c $((1048576 - 512 - 1024)) /dev/urandom >exact/f
"$BALE" pack exact -o exact.bale 2>/dev/null
check_image exact.bale
[ "$(json_get exact.bale.fmt 'j["members"]')" = '[1048576]' ] ||
  fail "a tar of exactly 1 MiB is in members $(json_get exact.bale.fmt 'j["members"]')"
exit 0
