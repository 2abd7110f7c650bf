#!/bin/bash
# Volumes of each kind: tmpfs with size and mode, a project path bound read-only and
# read-write, a named persistent volume that outlives each run, a cache volume shared by the
# project's containers; a bind that leads outside the project (by '..' or a symlink) is refused.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
busybox_project
mkdir -p "$P/conf" "$P/out"
echo conf-file >"$P/conf/c.txt"
cat >"$P/bale.yaml" <<'Y'
containers:
  bb:
    dockerfile: Dockerfile
    volumes:
      /cache: {cache: downloads}
  other:
    build: |
      FROM scratch
      COPY busybox /bin/busybox
      RUN ["/bin/busybox", "--install", "-s", "/bin"]
    volumes:
      /cache: {cache: downloads}
commands:
  tmp:
    container: bb
    run: [sh, -c, 'grep " /scratch " /proc/mounts; stat -c %a /scratch']
    volumes:
      /scratch: {tmpfs: true, size: 8m, mode: "0700"}
  ro:
    container: bb
    run: [sh, -c, 'cat /conf/c.txt; echo x >/conf/new 2>/dev/null && echo WROTE || echo refused']
    volumes:
      /conf: {bind: conf, read-only: true}
  rw:
    container: bb
    run: [sh, -c, 'echo from-container >/out/f']
    volumes:
      /out: {bind: out}
  count:
    container: bb
    run: [sh, -c, 'echo run >>/data/runs; wc -l </data/runs']
    volumes:
      /data: {persistent: state}
  fill:
    container: bb
    run: [sh, -c, 'echo cached >/cache/item']
  read-cache:
    container: other
    run: [cat, /cache/item]
Y
out=$(in_proj "$BALE" tmp 2>err) || fail "tmpfs: $(cat err)"
grep -q '^tmpfs /scratch tmpfs .*size=8192k' <<<"$out" || fail "no 8m tmpfs at /scratch: $out"
[ "$(tail -1 <<<"$out")" = 700 ] || fail "tmpfs mode: $out"
[ "$(in_proj "$BALE" ro 2>/dev/null)" = "$(printf 'conf-file\nrefused')" ] || fail "read-only bind: $(in_proj "$BALE" ro 2>&1)"
[ ! -e "$P/conf/new" ] || fail "a read-only bind was written"
in_proj "$BALE" rw 2>/dev/null || fail "rw bind failed"
[ "$(cat "$P/out/f")" = from-container ] || fail "a read-write bind's write did not reach the project"
[ "$(in_proj "$BALE" count 2>/dev/null)" = 1 ] && [ "$(in_proj "$BALE" count 2>/dev/null)" = 2 ] ||
  fail "the persistent volume did not keep its contents between runs"
ls -d "$BALE_STORE"/projects/proj-*/volumes/state >/dev/null || fail "the persistent volume is not in the store"
in_proj "$BALE" fill 2>/dev/null || fail "fill failed"
[ "$(in_proj "$BALE" read-cache 2>err)" = cached ] || fail "the cache volume is not shared between containers: $(cat err)"

# Outside the project: by '..' (a config error) and by a symlink (found when binding).
ln -s /etc "$P/etc-link"
cat >>"$P/bale.yaml" <<'Y'
  escape:
    container: bb
    run: [ls, /x]
    volumes:
      /x: {bind: etc-link}
Y
expect_fail 123 "bale.yaml:[0-9]+: volume /x: bind 'etc-link' leads outside the project \(to '/etc'\)" in_proj "$BALE" escape
sed -i 's/bind: etc-link/bind: ..\/../' "$P/bale.yaml"
expect_fail 123 "commands.escape.volumes./x.bind: '../..' is outside the project" in_proj "$BALE" escape
echo ok
