#!/bin/bash
# A plain tar.gz is exported only with --insecure, then as a docker-archive around its own tar:
# the layer is the tar exactly, and the config's diff_id is that tar's sha256.
. "$(dirname "$0")/lib.sh"

make_busybox_root root
tar -C root -czf plain.tar.gz .
expect_fail 1 "no signature" "$BALE" export plain.tar.gz -o out.tar
[ ! -e out.tar ] || fail "a refused export left out.tar"
"$BALE" export --insecure plain.tar.gz -o out.tar 2>err || fail "export --insecure failed: $(cat err)"
grep -q "warning" err || fail "no warning for an unsigned export: $(cat err)"
mkdir x && tar -C x -xf out.tar
layer=$(python3 -c 'import json; print(json.load(open("x/manifest.json"))[0]["Layers"][0])')
config=$(python3 -c 'import json; print(json.load(open("x/manifest.json"))[0]["Config"])')
gunzip -c plain.tar.gz | cmp - "x/$layer" || fail "the layer is not the tar.gz's tar"
want="sha256:$(gunzip -c plain.tar.gz | sha256sum | cut -d' ' -f1)"
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"][0])' "x/$config")
[ "$got" = "$want" ] || fail "diff_id $got, expected $want"
[ "${config%.json}" = "$(sha256sum "x/$config" | cut -d' ' -f1)" ] || fail "config name is not its sha256"
