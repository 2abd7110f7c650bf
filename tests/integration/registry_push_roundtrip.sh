#!/bin/bash
# `bale push IMAGE REF` puts the image file byte for byte as the one layer of an OCI image, its
# embedded config as the config (diff_id = the tar's sha256): skopeo reads exactly those bytes,
# podman pulls it and sees the image's tree, and `bale pull REF` gets back the very same file,
# trusted by its own signer (no trust policy entry needed), refused when that signer is not
# trusted. A second push uploads nothing. What skopeo pushed from `bale export` pulls back as the
# same tree.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
need skopeo

make_ca
start_registry "htpasswd alice s3cret"
echo s3cret | "$BALE" login "$REG" -u alice --password-stdin 2>/dev/null || fail "login failed"
make_busybox_root root
make_rich_tree root
"$BALE" pack root -o img.bale --cmd '["/bin/cat", "/etc/hostname.conf"]' -l org.example.k=v 2>/dev/null
"$BALE" push img.bale "$REG/bale/img:1" >pushed 2>push.err || fail "push failed: $(cat push.err)"
grep -q "2 blobs uploaded" push.err || fail "push said: $(cat push.err)"

# What a registry client sees: one gzip tar layer that is the file, the config the embedded one.
skopeo copy -q --src-cert-dir "$T/certs/$REG" --src-creds alice:s3cret "docker://$REG/bale/img:1" dir:sk ||
  fail "skopeo could not read what bale pushed"
manifest=$(json_get sk/manifest.json 'j')
[ "$(json_get sk/manifest.json 'len(j["layers"])')" = 1 ] &&
  [ "$(json_get sk/manifest.json 'j["layers"][0]["mediaType"]')" = application/vnd.oci.image.layer.v1.tar+gzip ] ||
  fail "the manifest is not one gzip tar layer: $manifest"
layer=$(json_get sk/manifest.json 'j["layers"][0]["digest"]')
cmp "sk/${layer#sha256:}" img.bale || fail "the layer is not the image file byte for byte"
config=$(json_get sk/manifest.json 'j["config"]["digest"]')
cmp "sk/${config#sha256:}" <(baleformat config img.bale) || fail "the config is not the embedded config"
[ "$(grep -c . pushed)" = 1 ] && grep -q "^$REG/bale/img@sha256:" pushed || fail "push printed $(cat pushed)"

# Podman pulls it as an ordinary image and has the same tree.
use_private_podman
"${P[@]}" pull -q --cert-dir "$T/certs/$REG" --creds alice:s3cret "$REG/bale/img:1" >/dev/null 2>podman.err ||
  fail "podman pull failed: $(cat podman.err)"
"${P[@]}" save -q --format docker-archive -o podman.tar "$REG/bale/img:1" || fail "podman save failed"
mkdir ps && tar -xf podman.tar -C ps
mkdir from-podman from-bale
tar -xf "ps/$(json_get ps/manifest.json 'j[0]["Layers"][0]')" -C from-podman
tar -xzf img.bale -C from-bale
same_tree from-bale from-podman
[ "$(json_get "ps/$(json_get ps/manifest.json 'j[0]["Config"]')" 'j["config"]["Labels"]')" = '{"org.example.k":"v"}' ] ||
  fail "podman lost the config"

# Back through bale pull: the identical file, by tag, with no trust policy entry.
"$BALE" pull "$REG/bale/img:1" -o back.bale >/dev/null 2>pull.err || fail "pull failed: $(cat pull.err)"
cmp back.bale img.bale || fail "bale pull did not give back the pushed file"
grep -q "a signed bale image kept as is; trusted by its signer SHA256:" pull.err || fail "pull said: $(cat pull.err)"
"$BALE" inspect --json "$REG/bale/img:1" >info.json
[ "$(json_get info.json 'j["origin"]["signed_by_pusher"]')" = true ] || fail "inspect: $(json_get info.json 'j.get("origin")')"

# The other way: what skopeo pushed from `bale export` comes back through bale pull (layers
# applied into a new image signed here) as the same tree. Another config than img.bale's: skopeo
# remembers which compressed blob it saw for a diff_id and may send img.bale's bytes as the
# layer, which must then not be taken for a pushed bale image of this config.
"$BALE" pack root -o img2.bale -l org.example.k=other 2>/dev/null
"$BALE" export img2.bale -o exported.tar 2>/dev/null || fail "bale export failed"
skopeo_push exported.tar bale/exported:1 alice:s3cret
"$BALE" trust registry add "$REG/bale/exported" >/dev/null
"$BALE" pull "$REG/bale/exported:1" -o exported.bale >/dev/null 2>ex.err || fail "pull of skopeo's push failed: $(cat ex.err)"
grep -q "trusted by trust policy entry '$REG/bale/exported'" ex.err || fail "pull said: $(cat ex.err)"
mkdir from-export && tar -xzf exported.bale -C from-export
same_tree from-bale from-export

# A second push sends no blob; a pull again is one manifest request.
"$BALE" push img.bale "$REG/bale/img:1" >/dev/null 2>push2.err || fail "second push failed: $(cat push2.err)"
grep -q "0 blobs uploaded" push2.err || fail "second push said: $(cat push2.err)"

# On a terminal the upload draws a bar; a log (push.err above) gets the line alone.
script -qec "'$BALE' push img.bale '$REG/bale/tty:1'" /dev/null >tty.out 2>&1 || fail "push on a terminal failed: $(cat tty.out)"
grep -q 'uploading \[#' tty.out || fail "no upload bar on a terminal: $(cat tty.out)"
if grep -q 'uploading \[' push.err; then fail "a bar in a log: $(cat push.err)"; fi

# Signed by a key this machine does not trust: refused with the trust line, or --insecure.
ssh-keygen -q -t ed25519 -N '' -f stranger
"$BALE" pack root -o stranger.bale --key stranger 2>/dev/null
expect_fail 1 "signer not trusted" "$BALE" push stranger.bale "$REG/bale/stranger:1"
"$BALE" push --insecure stranger.bale "$REG/bale/stranger:1" >/dev/null 2>&1 || fail "push --insecure failed"
expect_fail 1 "^bale: '$REG/bale/stranger:1': signer not trusted" "$BALE" pull "$REG/bale/stranger:1" -o s.bale
grep -q "bale trust add 'ssh-ed25519 " "$T/.err" || fail "no trust hint: $(cat "$T/.err")"
[ ! -e s.bale ] && [ -z "$("$BALE" images | grep stranger)" ] || fail "a refused pull left an image"
"$BALE" pull --insecure "$REG/bale/stranger:1" -o s.bale >/dev/null 2>ins.err || fail "pull --insecure failed: $(cat ins.err)"
grep -q warning ins.err && cmp s.bale stranger.bale || fail "--insecure pull: $(cat ins.err)"

# An unsigned tar.gz is no bale image to push.
tar -czf plain.tar.gz -C root .
expect_fail 1 "no signature" "$BALE" push plain.tar.gz "$REG/bale/plain:1"
exit 0
