#!/bin/bash
# What a registry (or what stands between) can get wrong, each one clear error and nothing
# half-written: a byte flipped in a blob (digest mismatch), a blob cut short, a malformed
# manifest, a manifest without end, layers declared 1 TB each, a connection cut in every blob
# (resumed with a Range), an index without this machine's platform (and --platform to pick another), a certificate bale cannot verify (and
# --tls-verify=false, with a warning).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
need skopeo

make_ca
start_registry none
start_proxy
multilayer_spec spec.json
make_archive spec.json app.tar
skopeo_push app.tar team/app:1
"$BALE" trust registry add "$PROXY/team" >/dev/null
"$BALE" trust registry add "$REG/team" >/dev/null

# nothing_left: no image named, no temp file in the store, no blob cache entry half-written.
nothing_left() {
  [ -z "$("$BALE" images -q)" ] || fail "$1: an image was named: $("$BALE" images)"
  [ -z "$(store_names tmp)" ] || fail "$1: left $(store_names tmp) in tmp/"
  local partial
  partial=$(find "$BALE_STORE/registry/blobs" -name '.*' 2>/dev/null)
  [ -z "$partial" ] || fail "$1: half-written blobs: $partial"
}

echo flip >"$T/proxy.mode"
expect_fail 1 "^bale: '$PROXY/team/app' blob sha256:[0-9a-f]{64}: the bytes received have digest sha256:[0-9a-f]{64}: the registry \(or something between\) changed them" \
  "$BALE" pull "$PROXY/team/app:1" -o x.bale
nothing_left flip
[ ! -e x.bale ] || fail "a failed pull wrote x.bale"

echo truncate >"$T/proxy.mode"
expect_fail 1 "^bale: '$PROXY/team/app' blob sha256:[0-9a-f]{64}: .*(transfer closed|bytes remaining|partial)" \
  "$BALE" pull "$PROXY/team/app:1"
nothing_left truncate

echo garble >"$T/proxy.mode"
expect_fail 1 "^bale: '$PROXY/team/app:1': the manifest is not valid JSON \\([0-9]+ bytes\\)" "$BALE" pull "$PROXY/team/app:1"
nothing_left garble

# A manifest pinned by digest that the registry serves with other bytes.
manifest=$(curl -sf --cacert "$T/ca/ca.crt" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "https://$REG/v2/team/app/manifests/1" | sha256sum | cut -d' ' -f1)
expect_fail 1 "^bale: '$PROXY/team/app@sha256:$manifest': the registry sent a manifest whose digest is sha256:" \
  "$BALE" pull "$PROXY/team/app@sha256:$manifest"
nothing_left "garbled pinned manifest"

# A manifest that never ends is cut off at 4 MiB; layers declared absurdly large are refused
# before anything is fetched.
echo endless >"$T/proxy.mode"
expect_fail 1 "^bale: '$PROXY/team/app:1': the registry sent more than 4194304 bytes of manifest, more than a manifest can be; nothing was written" \
  timeout 60 "$BALE" pull "$PROXY/team/app:1"
nothing_left endless
echo huge >"$T/proxy.mode"
blobs_before=$(grep -c '/blobs/' "$T/registry.log" || true)
expect_fail 1 "^bale: '$PROXY/team/app:1': the manifest declares layer 1 \(sha256:[0-9a-f]{12}\) of 1000.0 GB, more than the 68.7 GB a layer may be; nothing was fetched" \
  "$BALE" pull "$PROXY/team/app:1"
nothing_left huge
[ "$(grep -c '/blobs/' "$T/registry.log" || true)" = "$blobs_before" ] || fail "a blob was fetched for a 1 TB layer"

# A connection cut halfway through each blob: the rest is asked for with a Range and the pull
# completes, every blob still checked against its digest.
echo cut-once >"$T/proxy.mode"
"$BALE" pull "$PROXY/team/app:1" >/dev/null 2>cut.err || fail "a pull with cut connections failed: $(cat cut.err)"
grep -qE "blob sha256:[0-9a-f]{64}: .*; resuming at byte [0-9]+" cut.err || fail "no resume said: $(cat cut.err)"
grep -qE '/blobs/sha256:[0-9a-f]{64} bytes=[1-9][0-9]*-$' "$T/proxy.mode.ranges" ||
  fail "no Range request reached the proxy: $(cat "$T/proxy.mode.ranges" 2>/dev/null)"
[ "$("$BALE" images -q | wc -l)" = 1 ] || fail "the resumed pull named no image"
"$BALE" rmi "$PROXY/team/app:1" >/dev/null
[ -z "$(store_names tmp)" ] || fail "the resumed pull left $(store_names tmp) in tmp/"
echo honest >"$T/proxy.mode"

# An index whose platforms are not this machine's.
size=$(curl -sf --cacert "$T/ca/ca.crt" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "https://$REG/v2/team/app/manifests/1" | wc -c)
cat >index.json <<JSON
{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
  {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": "sha256:$manifest",
   "size": $size, "platform": {"os": "linux", "architecture": "s390x"}},
  {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": "sha256:$manifest",
   "size": $size, "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}]}
JSON
curl -sf --cacert "$T/ca/ca.crt" -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
  --data-binary @index.json "https://$REG/v2/team/app/manifests/multi" >/dev/null || fail "the registry refused the index"
echo honest >"$T/proxy.mode"
expect_fail 1 "^bale: '$REG/team/app:multi': the image has no linux/amd64 variant; it is made for linux/s390x, linux/arm64/v8" \
  "$BALE" pull "$REG/team/app:multi"
grep -q -- "--platform" "$T/.err" || fail "no --platform hint: $(cat "$T/.err")"
nothing_left "no platform"
"$BALE" pull --platform linux/s390x "$REG/team/app:multi" >/dev/null 2>p.err || fail "--platform pull failed: $(cat p.err)"
"$BALE" inspect --json "$REG/team/app:multi" >i.json
[ "$(json_get i.json 'j["origin"]["platform"]')" = linux/s390x ] &&
  [ "$(json_get i.json 'j["origin"]["manifest_digest"]')" = "sha256:$manifest" ] &&
  [ "$(json_get i.json 'j["origin"]["index_digest"]')" = "sha256:$(sha256sum <index.json | cut -d' ' -f1)" ] ||
  fail "origin of the index pull: $(json_get i.json 'j["origin"]')"
"$BALE" rmi "$REG/team/app:multi" >/dev/null

# A certificate from a CA bale was not given.
rm -r "$BALE_CONFIG_DIR/certs.d/$PROXY"
expect_fail 1 "^bale: GET 'https://$PROXY/v2/team/app/manifests/1': .*(certificate|issuer)" "$BALE" pull "$PROXY/team/app:1"
"$BALE" pull --tls-verify=false "$PROXY/team/app:1" >/dev/null 2>tls.err || fail "--tls-verify=false failed: $(cat tls.err)"
grep -q "warning: not verifying the TLS certificate of '$PROXY'" tls.err || fail "no TLS warning: $(cat tls.err)"
exit 0
