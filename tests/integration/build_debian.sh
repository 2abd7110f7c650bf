#!/bin/bash
# `bale bootstrap debian:bookworm` stores a signed Debian base under that name (made once per
# machine: the store, with its key, is kept in /var/cache/bale-tests), and `FROM debian:bookworm`
# builds on it without a registry: apt-get installs a package in a RUN step, the result runs.
# The base is set up as Docker's Debian images are: apt leaves no package caches or downloaded
# packages behind, and no service starts during an install.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
need debootstrap

cache=/var/cache/bale-tests
mkdir -p "$cache"
export BALE_STORE="$cache/debian-store"
export BALE_CONFIG_DIR="$cache/debian-config"
exec 8>"$cache/debian-store.lock"
flock 8
# A store from before bootstrap configured apt as Docker's Debian images do is made again.
if ! "$BALE" images 2>/dev/null | grepq -E '^debian +bookworm ' ||
   ! "$BALE" run debian:bookworm test -x /usr/sbin/policy-rc.d >/dev/null 2>&1; then
  "$BALE" bootstrap debian:bookworm >"$T/bootstrap.out" 2>"$T/bootstrap.log" ||
    skip "bale bootstrap failed (no network?): $(tail -3 "$T/bootstrap.log")"
  grep -qE '^sha256:[0-9a-f]{64}$' "$T/bootstrap.out" || fail "bootstrap printed: $(cat "$T/bootstrap.out")"
fi
"$BALE" images | grepq -E '^debian +bookworm ' || fail "bootstrap did not name the image: $("$BALE" images)"

mkdir ctx
printf '#!/bin/sh\nexec hello -g "built by bale"\n' >ctx/app
chmod 755 ctx/app
cat >ctx/Dockerfile <<'EOF'
FROM debian:bookworm
RUN test ! -e /etc/resolv.conf.bale && grep -q . /etc/resolv.conf
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends hello >/dev/null && \
    rm -rf /var/lib/apt/lists/*
COPY app /usr/local/bin/app
CMD ["app"]
EOF
"$BALE" build --no-cache -o app.bale ctx >build.out 2>build.log ||
  { grep -qE 'Could not resolve|Temporary failure|Failed to fetch' build.log &&
      skip "apt-get could not reach the mirror: $(tail -3 build.log)"
    fail "the Debian build failed: $(tail -20 build.log)"; }
"$BALE" run app.bale >out 2>err || fail "the built image does not run: $(cat err)"
[ "$(cat out)" = "built by bale" ] || fail "the image printed: $(cat out)"
extract app.bale r
[ -e r/etc/resolv.conf ] && fail "the host's resolv.conf was left in the image"
[ -d r/var/lib/apt/lists ] || fail "the image lost a directory of its base"
[ "$(find r/var/lib/apt/lists -mindepth 1 | wc -l)" -eq 0 ] || fail "apt lists were not deleted in the image"
ls r/var/cache/apt/*.bin 2>/dev/null && fail "apt's package caches were left in the image"
ls r/var/cache/apt/archives/*.deb 2>/dev/null && fail "downloaded packages were left in the image"
[ "$(cat r/etc/dpkg/dpkg.cfg.d/docker-apt-speedup)" = force-unsafe-io ] ||
  fail "the base's dpkg is not set up for containers"
rc=0
r/usr/sbin/policy-rc.d || rc=$?
[ "$rc" -eq 101 ] || fail "the base's policy-rc.d does not refuse service starts ($rc)"
exit 0
