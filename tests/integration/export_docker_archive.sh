#!/bin/bash
# `bale export` writes a docker-archive: manifest.json naming the config (its bytes the image's
# config, named by its digest) and one layer whose sha256 is the diff_id; only trusted images
# leave unless --insecure; `bale import` of the export gives back the same tar.
. "$(dirname "$0")/lib.sh"
need python3

make_busybox_root root
make_rich_tree root
"$BALE" pack root -o img.bale --cmd '["/bin/sh"]' -e A=1 2>/dev/null
"$BALE" inspect --json img.bale >info.json
digest=$(json_get info.json 'j["digest"]')
diff_id=$(json_get info.json 'j["config"]["rootfs"]["diff_ids"][0]')

"$BALE" export img.bale -o img.tar --tag example.org/test:1 2>/dev/null
mkdir x && tar -xf img.tar -C x
json_get x/manifest.json 'len(j)' | grepq -x 1 || fail "manifest.json lists $(json_get x/manifest.json 'len(j)') images"
config=$(json_get x/manifest.json 'j[0]["Config"]')
layer=$(json_get x/manifest.json 'j[0]["Layers"][0]')
[ "$(json_get x/manifest.json 'j[0]["RepoTags"]')" = '["example.org/test:1"]' ] || fail "RepoTags $(json_get x/manifest.json 'j[0]["RepoTags"]')"
[ "$(json_get x/manifest.json 'len(j[0]["Layers"])')" = 1 ] || fail "more than one layer"
cmp "x/$config" <(baleformat config img.bale) || fail "the exported config is not the image's config bytes"
[ "sha256:$(sha256sum <"x/$config" | cut -d' ' -f1)" = "$digest" ] || fail "config file does not hash to the digest"
[ "sha256:$(sha256sum <"x/$layer" | cut -d' ' -f1)" = "$diff_id" ] || fail "layer does not hash to the diff_id"
cmp "x/$layer" <(gzip -dc img.bale) || fail "the layer is not the image's tar"

# Round trip through import: the same tar.
"$BALE" import img.tar -o back.bale 2>/dev/null
"$BALE" inspect --json back.bale >back.json
[ "$(json_get back.json 'j["config"]["rootfs"]["diff_ids"][0]')" = "$diff_id" ] ||
  fail "export then import changed the tar"
[ "$(json_get back.json 'j["config"]["config"]')" = "$(json_get info.json 'j["config"]["config"]')" ] ||
  fail "export then import changed the config: $(json_get back.json 'j["config"]["config"]')"

# Untrusted or unsigned images stay in unless --insecure says otherwise.
ssh-keygen -q -t ed25519 -N '' -f stranger
"$BALE" pack root -o stranger.bale --key stranger 2>/dev/null
expect_fail 1 "^bale: 'stranger.bale': signer not trusted" "$BALE" export stranger.bale -o stranger.tar
grep -q -- '--insecure' "$T/.err" || fail "no hint about --insecure: $(cat "$T/.err")"
[ ! -e stranger.tar ] || fail "a refused export left stranger.tar"
"$BALE" export stranger.bale -o stranger.tar --insecure 2>err || fail "--insecure export failed: $(cat err)"
grep -q 'warning' err || fail "--insecure export gave no warning: $(cat err)"
flip_byte stranger.bale 100
expect_fail 1 "bad signature" "$BALE" export stranger.bale -o bad.tar
tar -czf plain.tar.gz -C root .
expect_fail 1 "no signature" "$BALE" export plain.tar.gz -o plain.tar
[ ! -e bad.tar ] && [ ! -e plain.tar ] || fail "a refused export left a file behind"
exit 0
