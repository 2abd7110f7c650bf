#!/bin/bash
# `bale import` reads what `podman save` writes, as docker-archive and as oci-archive: a base layer
# and a committed layer that deletes a file and a directory; the result has the deletions applied,
# the new files, no .wh. entries, and podman's Cmd and Env.
. "$(dirname "$0")/lib.sh"
use_private_podman
mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)

make_busybox_root root
mkdir -p root/tmp/d/sub root/etc/keep
echo doomed >root/tmp/d/sub/f
echo kept >root/etc/keep/f
tar -C root -cf base.tar .
"${P[@]}" import base.tar localhost/bale-test/base:1 >/dev/null 2>&1 || fail "podman import failed"

# The second layer, made without running anything: create, mount (vfs: a plain directory), edit,
# commit. Whiteouts for the deletions are podman's own.
"${P[@]}" create --name edit localhost/bale-test/base:1 /bin/sh >/dev/null
dir=$("${P[@]}" mount edit)
rm "$dir/etc/passwd"
rm -rf "$dir/tmp/d"
mkdir "$dir/new" && echo x >"$dir/new/f"
"${P[@]}" commit -q --change 'CMD ["/bin/sh", "-c", "cat /new/f"]' --change 'ENV GREETING=hello' \
  edit localhost/bale-test/edited:1 >/dev/null
"${P[@]}" rm -f edit >/dev/null

"${P[@]}" save -q --format docker-archive -o docker.tar localhost/bale-test/edited:1
"${P[@]}" save -q --format oci-archive -o oci.tar localhost/bale-test/edited:1
for archive in docker.tar oci.tar; do
  "$BALE" import "$archive" -o "$archive.bale" 2>err || fail "import of podman's $archive failed: $(cat err)"
  grep -q '2 layers, [1-9][0-9]* whiteouts' err || fail "$archive: $(cat err)"
  "$BALE" verify "$archive.bale" >/dev/null || fail "$archive: imported image does not verify"
  rm -rf out && mkdir out
  expect_silent tar -xzf "$archive.bale" -C out
  [ ! -e out/etc/passwd ] || fail "$archive: deleted etc/passwd is back"
  [ ! -e out/tmp/d ] || fail "$archive: deleted tmp/d is back"
  [ "$(cat out/new/f)" = x ] || fail "$archive: new/f missing"
  [ "$(cat out/etc/keep/f)" = kept ] || fail "$archive: etc/keep/f missing"
  cmp out/bin/busybox /bin/busybox || fail "$archive: bin/busybox differs"
  [ "$(stat -c %a out/tmp)" = 1777 ] || fail "$archive: tmp mode $(stat -c %a out/tmp)"
  tar -tzf "$archive.bale" >list
  grep -q '\.wh\.' list && fail "$archive: whiteout files in the image: $(grep '\.wh\.' list)"
  "$BALE" inspect --json "$archive.bale" >info.json
  [ "$(json_get info.json 'j["config"]["config"]["Cmd"]')" = '["/bin/sh","-c","cat /new/f"]' ] ||
    fail "$archive: Cmd $(json_get info.json 'j["config"]["config"]["Cmd"]')"
  json_get info.json 'j["config"]["config"]["Env"]' | grepq '"GREETING=hello"' ||
    fail "$archive: Env $(json_get info.json 'j["config"]["config"]["Env"]')"
done
# Both archives hold the same image: the same tar.
[ "$(gzip -dc docker.tar.bale | sha256sum)" = "$(gzip -dc oci.tar.bale | sha256sum)" ] ||
  fail "docker-archive and oci-archive imports differ"

"${P[@]}" rmi -a -f >/dev/null 2>&1 || true
[ "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" = "$mounts_before" ] || fail "the mount table changed"
exit 0
