#!/bin/bash
# `bale import` applies a docker-archive's or OCI layout's layers in order, as docker does:
# whiteouts (.wh.NAME) delete, opaque markers (.wh..wh..opq) empty a directory of what lower
# layers put there, later entries replace earlier ones; no .wh. file survives; the config stays.
. "$(dirname "$0")/lib.sh"
need python3

cat >spec.json <<'EOF'
{
  "config": {"Cmd": ["/bin/sh", "-c", "echo hi"], "Env": ["PATH=/bin", "GREETING=hello"],
             "WorkingDir": "/srv", "User": "1000:1000", "Labels": {"org.example.kind": "test"}},
  "layers": [
    [
      {"name": "etc/", "type": "dir"},
      {"name": "etc/passwd", "data": "root:x:0:0::/root:/bin/sh\n"},
      {"name": "etc/group", "data": "root:x:0:\n"},
      {"name": "tmp/", "type": "dir", "mode": 1023},
      {"name": "tmp/d/", "type": "dir"},
      {"name": "tmp/d/inner", "data": "gone with d"},
      {"name": "opq-first/", "type": "dir"},
      {"name": "opq-first/old", "data": "lower"},
      {"name": "opq-first/sub/", "type": "dir"},
      {"name": "opq-first/sub/deep", "data": "lower"},
      {"name": "opq-last/", "type": "dir"},
      {"name": "opq-last/old", "data": "lower"},
      {"name": "keep/", "type": "dir", "mode": 448, "uid": 1234, "gid": 5678},
      {"name": "keep/file", "data": "kept", "mode": 1517, "uid": 1234, "gid": 5678},
      {"name": "keep/hard", "type": "hardlink", "target": "keep/file"},
      {"name": "keep/link", "type": "symlink", "target": "file"},
      {"name": "keep/fifo", "type": "fifo"},
      {"name": "replaced-by-dir", "data": "a file below"},
      {"name": "replaced-by-file/", "type": "dir"},
      {"name": "replaced-by-file/child", "data": "below"},
      {"name": "changed", "data": "version 1"}
    ],
    [
      {"name": "etc/.wh.passwd", "data": ""},
      {"name": "tmp/.wh.d", "data": ""},
      {"name": "opq-first/.wh..wh..opq", "data": ""},
      {"name": "opq-first/new", "data": "upper"},
      {"name": "opq-last/new", "data": "upper"},
      {"name": "opq-last/.wh..wh..opq", "data": ""},
      {"name": ".wh.replaced-by-dir", "data": ""},
      {"name": "replaced-by-dir/", "type": "dir"},
      {"name": "replaced-by-dir/child", "data": "above"},
      {"name": "replaced-by-file", "data": "now a file"},
      {"name": "changed", "data": "version 2"},
      {"name": "new/", "type": "dir"},
      {"name": "new/f", "data": "x\n"}
    ],
    [
      {"name": "new/.wh.f", "data": ""},
      {"name": "new/g", "data": "third layer"}
    ]
  ]
}
EOF
cat >expected <<'EOF'
changed
etc/
etc/group
keep/
keep/fifo
keep/file
keep/hard
keep/link
new/
new/g
opq-first/
opq-first/new
opq-last/
opq-last/new
replaced-by-dir/
replaced-by-dir/child
replaced-by-file
tmp/
EOF

check_import() {
  local archive=$1 format=$2
  "$BALE" import "$archive" -o "$archive.bale" 2>import.err ||
    fail "import of $archive failed: $(cat import.err)"
  grep -q "($format, 3 layers" import.err || fail "import reported: $(cat import.err)"
  "$BALE" verify "$archive.bale" >/dev/null || fail "the imported image does not verify"
  tar -tzf "$archive.bale" | LC_ALL=C sort >got
  diff expected got >tree.diff || fail "$archive: tree after import differs (-want +got): $(cat tree.diff)"
  rm -rf out && mkdir out
  expect_silent tar -xzf "$archive.bale" -C out
  [ "$(cat out/changed)" = "version 2" ] || fail "$archive: changed holds '$(cat out/changed)'"
  [ "$(cat out/replaced-by-file)" = "now a file" ] || fail "$archive: replaced-by-file wrong"
  [ "$(stat -c '%a %u:%g' out/keep)" = "700 1234:5678" ] || fail "$archive: keep/ is $(stat -c '%a %u:%g' out/keep)"
  [ "$(stat -c '%a %u:%g' out/keep/file)" = "2755 1234:5678" ] ||
    fail "$archive: keep/file is $(stat -c '%a %u:%g' out/keep/file)"
  [ "$(stat -c %a out/tmp)" = 1777 ] || fail "$archive: tmp is $(stat -c %a out/tmp)"
  [ "$(stat -c %i out/keep/file)" = "$(stat -c %i out/keep/hard)" ] || fail "$archive: hardlink lost"
  [ "$(readlink out/keep/link)" = file ] && [ -p out/keep/fifo ] || fail "$archive: symlink or fifo lost"
  [ "$(stat -c %Y out/new/g)" = 1600000000 ] || fail "$archive: mtime not kept"

  "$BALE" inspect --json "$archive.bale" >info.json
  [ "$(json_get info.json 'j["config"]["config"]["Cmd"]')" = '["/bin/sh","-c","echo hi"]' ] &&
    [ "$(json_get info.json 'j["config"]["config"]["Env"]')" = '["PATH=/bin","GREETING=hello"]' ] &&
    [ "$(json_get info.json 'j["config"]["config"]["WorkingDir"]')" = /srv ] &&
    [ "$(json_get info.json 'j["config"]["config"]["User"]')" = 1000:1000 ] &&
    [ "$(json_get info.json 'j["config"]["config"]["Labels"]')" = '{"org.example.kind":"test"}' ] ||
    fail "$archive: config not kept: $(json_get info.json 'j["config"]["config"]')"
  [ "$(json_get info.json 'j["config"]["rootfs"]["diff_ids"]')" = \
    "[\"sha256:$(gzip -dc "$archive.bale" | sha256sum | cut -d' ' -f1)\"]" ] ||
    fail "$archive: diff_ids do not describe the image's one layer"
}

make_archive spec.json docker.tar
check_import docker.tar docker-archive
python3 -c 'import json; s = json.load(open("spec.json")); s["format"] = "oci"; json.dump(s, open("oci.json", "w"))'
make_archive oci.json oci.tar
check_import oci.tar oci-layout

# Same archive, same SOURCE_DATE_EPOCH: same image.
SOURCE_DATE_EPOCH=1600000000 "$BALE" import docker.tar -o a.bale 2>/dev/null
SOURCE_DATE_EPOCH=1600000000 "$BALE" import docker.tar -o b.bale 2>/dev/null
cmp a.bale b.bale || fail "importing one archive twice gave two images"
no_temp_files .
exit 0
