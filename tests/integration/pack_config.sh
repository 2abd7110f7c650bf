#!/bin/bash
# `bale pack` flags set the OCI image config as docker would: exec-form JSON arrays or shell
# strings for --entrypoint/--cmd, repeated -e/-l/--expose/--volume, and --config as a base whose
# unknown keys are dropped; the digest is the sha256 of the stored config bytes.
. "$(dirname "$0")/lib.sh"
need python3

make_busybox_root root
export SOURCE_DATE_EPOCH=1700000000
"$BALE" pack root -o img.bale --entrypoint '["/bin/busybox", "sh"]' --cmd 'echo "$GREETING" | cat' \
  -e GREETING=hello -e PATH=/bin -e GREETING=bonjour -w /srv -u 1000:100 -l org.example.a=1 \
  -l 'org.example.b=x=y' --expose 8080 --expose 53/udp --volume /data --stop-signal SIGINT 2>/dev/null
"$BALE" inspect --json img.bale >info.json
c() { json_get info.json "j[\"config\"]$1"; }
[ "$(c '["config"]["Entrypoint"]')" = '["/bin/busybox","sh"]' ] || fail "Entrypoint $(c '["config"]["Entrypoint"]')"
[ "$(c '["config"]["Cmd"]')" = '["/bin/sh","-c","echo \"$GREETING\" | cat"]' ] || fail "Cmd $(c '["config"]["Cmd"]')"
[ "$(c '["config"]["Env"]')" = '["GREETING=bonjour","PATH=/bin"]' ] || fail "Env $(c '["config"]["Env"]')"
[ "$(c '["config"]["WorkingDir"]')" = /srv ] || fail "WorkingDir $(c '["config"]["WorkingDir"]')"
[ "$(c '["config"]["User"]')" = 1000:100 ] || fail "User $(c '["config"]["User"]')"
[ "$(c '["config"]["Labels"]')" = '{"org.example.a":"1","org.example.b":"x=y"}' ] || fail "Labels $(c '["config"]["Labels"]')"
[ "$(c '["config"]["ExposedPorts"]')" = '{"53/udp":{},"8080/tcp":{}}' ] || fail "ExposedPorts $(c '["config"]["ExposedPorts"]')"
[ "$(c '["config"]["Volumes"]')" = '{"/data":{}}' ] || fail "Volumes $(c '["config"]["Volumes"]')"
[ "$(c '["config"]["StopSignal"]')" = SIGINT ] || fail "StopSignal $(c '["config"]["StopSignal"]')"
[ "$(c '["os"]')" = linux ] && [ -n "$(c '["architecture"]')" ] || fail "os/architecture missing"
[ "$(c '["created"]')" = 2023-11-14T22:13:20Z ] || fail "created $(c '["created"]')"
[ "$(c '["rootfs"]')" = "{\"diff_ids\":[\"sha256:$(gzip -dc img.bale | sha256sum | cut -d' ' -f1)\"],\"type\":\"layers\"}" ] ||
  fail "rootfs $(c '["rootfs"]')"
[ "$(json_get info.json 'j["digest"]')" = "sha256:$(baleformat config img.bale | sha256sum | cut -d' ' -f1)" ] ||
  fail "digest is not the sha256 of the stored config"

# --config is a base: flags edit it, the image's own facts (rootfs, history) replace its own,
# and keys an image config does not have are dropped.
cat >base.json <<'EOF'
{"architecture": "arm64", "os": "linux", "author": "someone",
 "config": {"Cmd": ["old"], "Env": ["KEEP=1", "GREETING=hi"], "Labels": {"base": "yes"},
            "NotAConfigKey": true, "Hostname": "leaks"},
 "rootfs": {"type": "layers", "diff_ids": ["sha256:0000000000000000000000000000000000000000000000000000000000000000"]},
 "history": [{"created_by": "someone else's build"}], "extra": 1}
EOF
"$BALE" pack root -o based.bale --config base.json -e GREETING=hello -l added=1 2>/dev/null
"$BALE" inspect --json based.bale >info.json
[ "$(c '["architecture"]')" = arm64 ] && [ "$(c '["author"]')" = someone ] || fail "base's top-level keys lost"
[ "$(c '["config"]["Cmd"]')" = '["old"]' ] || fail "base Cmd lost: $(c '["config"]["Cmd"]')"
[ "$(c '["config"]["Env"]')" = '["KEEP=1","GREETING=hello"]' ] || fail "Env $(c '["config"]["Env"]')"
[ "$(c '["config"]["Labels"]')" = '{"added":"1","base":"yes"}' ] || fail "Labels $(c '["config"]["Labels"]')"
[ "$(c '["config"].get("NotAConfigKey", "gone")')" = gone ] && [ "$(c '["config"].get("Hostname", "gone")')" = gone ] &&
  [ "$(c '.get("extra", "gone")')" = gone ] || fail "unknown keys kept: $(c '')"
[ "$(c '["rootfs"]["diff_ids"]')" = "[\"sha256:$(gzip -dc based.bale | sha256sum | cut -d' ' -f1)\"]" ] ||
  fail "base's diff_ids kept: $(c '["rootfs"]')"
[ "$(c '["history"]')" = '[{"created":"2023-11-14T22:13:20Z","created_by":"bale pack root"}]' ] ||
  fail "history $(c '["history"]')"

# A new entrypoint drops an inherited command, as docker does; both given keeps both.
"$BALE" pack root -o ep.bale --config base.json --entrypoint /bin/true 2>/dev/null
"$BALE" inspect --json ep.bale >info.json
[ "$(c '["config"]["Entrypoint"]')" = '["/bin/sh","-c","/bin/true"]' ] || fail "Entrypoint $(c '["config"]["Entrypoint"]')"
[ "$(c '["config"].get("Cmd", "gone")')" = gone ] || fail "inherited Cmd kept with a new entrypoint"
exit 0
