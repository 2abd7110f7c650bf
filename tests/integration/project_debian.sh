#!/bin/bash
# A project whose container is a real distribution: FROM debian:bookworm (the suite's shared
# debootstrap tree, packed and named in this test's store), an inline build with a RUN cache
# mount, bash and apt in the container, the image's ENV and the container's environ, a command
# as the image's own 'nobody', /work and the caller's directory.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
need debootstrap
. "$BALE_SRC/tests/integration/debian_lib.sh"
debian_cache_tree
"$BALE" pack "$debian_cache" -o debian.bale -t debian:bookworm >/dev/null 2>&1 || fail "bale pack of the Debian tree failed"
mkdir -p "$P/lib"
cat >"$P/bale.yaml" <<'Y'
containers:
  deb:
    build: |
      FROM debian:bookworm
      RUN --mount=type=cache,target=/var/cache/demo echo built >>/var/cache/demo/log && cp /var/cache/demo/log /built-log
      ENV LANG=C.UTF-8
    environ: {FROM_CONTAINER: "yes"}
commands:
  info:
    run: |
      cat /etc/debian_version
      echo "$LANG $FROM_CONTAINER $(id -un) $(pwd)"
      cat /built-log
  nobody:
    run: [id, -un]
    user: nobody
  apt:
    run: [apt-get, --version]
Y
out=$(cd "$P/lib" && "$BALE" info 2>err) || fail "info failed: $(cat err)"
mapfile -t lines <<<"$out"
[[ ${lines[0]} =~ ^12\.[0-9]+$ ]] || fail "debian_version: ${lines[0]}"
[ "${lines[1]}" = "C.UTF-8 yes root /work/lib" ] || fail "environment, user or directory: ${lines[1]}"
[ "${lines[2]}" = built ] || fail "the RUN cache mount: ${lines[2]}"
[ "$(in_proj "$BALE" nobody 2>/dev/null)" = nobody ] || fail "user: nobody from the image's passwd"
in_proj "$BALE" apt >apt.out 2>&1 || fail "apt-get --version failed: $(cat apt.out)"
grep -q '^apt 2\.6' apt.out || fail "apt-get in the container printed: $(head -3 apt.out)"
echo ok
