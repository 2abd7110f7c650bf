#!/bin/bash
# podman takes bale's images both ways: `podman import IMAGE` reads the image file as a tar.gz,
# and `podman load` reads `bale export`, keeping the config; the content podman stores equals the
# packed tree, and a container runs from it where podman can run containers at all.
. "$(dirname "$0")/lib.sh"
use_private_podman
mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)

make_busybox_root root
echo 'hello from bale' >root/etc/motd
make_rich_tree root
"$BALE" pack root -o img.bale --cmd '["/bin/cat", "/etc/motd"]' -e GREETING=hi -w /etc \
  -l org.example.test=1 2>/dev/null

# podman_tree IMAGE DIR: copy the image's root filesystem out of podman storage.
podman_tree() {
  local c
  c=$("${P[@]}" create "$1" /bin/true)
  mkdir "$2"
  tar -C "$("${P[@]}" mount "$c")" -cf - . | tar -C "$2" -xf -
  "${P[@]}" rm -f "$c" >/dev/null
}

"${P[@]}" import img.bale localhost/bale-test/imported:1 >/dev/null 2>err || fail "podman import failed: $(cat err)"
podman_tree localhost/bale-test/imported:1 imported
same_tree root imported

"$BALE" export img.bale -o img.tar --tag localhost/bale-test/loaded:1 2>/dev/null
"${P[@]}" load -q -i img.tar >load.out 2>&1 || fail "podman load refused bale's export: $(cat load.out)"
grep -q 'localhost/bale-test/loaded:1' load.out || fail "podman load did not tag the image: $(cat load.out)"
"${P[@]}" image inspect localhost/bale-test/loaded:1 >inspect.json
[ "$(json_get inspect.json 'j[0]["Config"]["Cmd"]')" = '["/bin/cat","/etc/motd"]' ] ||
  fail "loaded Cmd $(json_get inspect.json 'j[0]["Config"]["Cmd"]')"
[ "$(json_get inspect.json 'j[0]["Config"]["WorkingDir"]')" = /etc ] || fail "loaded WorkingDir lost"
json_get inspect.json 'j[0]["Config"]["Env"]' | grepq '"GREETING=hi"' || fail "loaded Env lost"
[ "$(json_get inspect.json 'j[0]["Labels"]')" = '{"org.example.test":"1"}' ] || fail "loaded Labels lost"
"$BALE" inspect --json img.bale >info.json
[ "$(json_get inspect.json 'j[0]["RootFS"]["Layers"]')" = "$(json_get info.json 'j["config"]["rootfs"]["diff_ids"]')" ] ||
  fail "podman's layer $(json_get inspect.json 'j[0]["RootFS"]["Layers"]') is not the image's diff_id"
[ "sha256:$(json_get inspect.json 'j[0]["Id"]')" = "$(json_get info.json 'j["digest"]')" ] ||
  fail "podman's image id $(json_get inspect.json 'j[0]["Id"]') is not bale's digest $(json_get info.json 'j["digest"]')"
podman_tree localhost/bale-test/loaded:1 loaded
same_tree root loaded

if podman_can_run localhost/bale-test/loaded:1; then
  out=$(timeout 120 "${P[@]}" run --rm --network none localhost/bale-test/loaded:1)
  [ "$out" = 'hello from bale' ] || fail "the loaded image ran and printed '$out'"
  out=$(timeout 120 "${P[@]}" run --rm --network none localhost/bale-test/imported:1 /bin/cat /etc/motd)
  [ "$out" = 'hello from bale' ] || fail "the imported image ran and printed '$out'"
else
  echo "note: podman cannot run containers here; 'podman run' not exercised" >&2
fi

"${P[@]}" rmi -a -f >/dev/null 2>&1 || true
[ "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" = "$mounts_before" ] || fail "the mount table changed"
exit 0
