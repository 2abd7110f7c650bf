#!/bin/bash
# A pulled image's layers, inflated, must hash to its config's rootfs.diff_ids, in order and as
# many: a registry serving a config that lies about one layer (every blob digest right) is a
# clear error naming the layer and both digests, with nothing stored under the name; a config
# listing fewer diff_ids than the manifest has layers is refused before any layer is fetched.
# The same layers with an honest config pull.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/run_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
need skopeo

make_ca
start_registry none
"$BALE" trust registry add "$REG/team" >/dev/null
multilayer_spec spec.json
# push_oci NAME DIFF_IDS_JSON: the app as an OCI layout whose config gives DIFF_IDS_JSON (null:
# the true ones), pushed by skopeo as team/NAME:1; prints the layers' true diff_ids.
push_oci() {
  python3 - spec.json "$2" oci.spec.json <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["format"] = "oci"
lie = json.loads(sys.argv[2])
if lie is not None:
    spec["diff_ids"] = lie
json.dump(spec, open(sys.argv[3], "w"))
PY
  make_archive oci.spec.json "$1.oci.tar"
  rm -rf "$1.oci" && mkdir "$1.oci" && tar -xf "$1.oci.tar" -C "$1.oci"
  skopeo copy -q --dest-cert-dir "$T/certs/$REG" "oci:$1.oci" "docker://$REG/team/$1:1" >"$T/.skopeo" 2>&1 ||
    fail "skopeo could not push $1: $(cat "$T/.skopeo")"
}
push_oci honest null
# The true diff_ids, as the registry now holds them in the honest config.
truth=$(skopeo inspect --config --cert-dir "$T/certs/$REG" "docker://$REG/team/honest:1" |
  python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["rootfs"]["diff_ids"]))')
read -r d1 d2 d3 <<<"$truth"
[ -n "$d3" ] || fail "the honest image has no three diff_ids: $truth"
bogus=sha256:$(printf 'not the layer' | sha256sum | cut -d' ' -f1)

# Layer 2's diff_id is wrong, its blob is right.
push_oci lie "[\"$d1\", \"$bogus\", \"$d3\"]"
layer2=$(skopeo inspect --raw --cert-dir "$T/certs/$REG" "docker://$REG/team/lie:1" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["layers"][1]["digest"])')
expect_fail 1 "^bale: '$REG/team/lie:1' layer 2 \(${layer2:0:19}\): inflated, it has digest $d2, but the config's rootfs.diff_ids gives $bogus: the image's config does not describe its layers; nothing was stored$" \
  "$BALE" pull "$REG/team/lie:1"
[ -z "$("$BALE" images -q)" ] || fail "a lying config left an image named: $("$BALE" images)"
[ -z "$(store_names tmp)" ] || fail "the refused pull left $(store_names tmp) in tmp/"
[ "$(store_count blobs)" = 0 ] || fail "the refused pull stored $(store_names blobs)"

# Two diff_ids for three layers: refused once the config is read, no layer fetched.
push_oci short "[\"$d1\", \"$d2\"]"
before=$(blob_requests)
expect_fail 1 "^bale: '$REG/team/short:1' config: the config's rootfs.diff_ids lists 2 layers, the manifest 3$" \
  "$BALE" pull "$REG/team/short:1"
[ "$(( $(blob_requests) - before ))" = 1 ] || fail "a short diff_ids list fetched $(( $(blob_requests) - before - 1 )) layers"

# Under SOURCE_DATE_EPOCH (the layers applied into a tree) the check is made too.
SOURCE_DATE_EPOCH=1700000000 expect_fail 1 "layer 2 \(${layer2:0:19}\): inflated, it has digest $d2, but the config's rootfs.diff_ids gives $bogus" \
  "$BALE" pull "$REG/team/lie:1"

# The same layers with the true diff_ids: pulled, named, runnable.
"$BALE" pull "$REG/team/honest:1" >/dev/null 2>pull.err || fail "the honest image did not pull: $(cat pull.err)"
[ "$("$BALE" run "$REG/team/honest:1" 2>/dev/null)" = "from layer 2" ] || fail "the honest image does not run"
