#!/bin/bash
# Containers are built lazily with bale's builder and cache: nothing changed, no build output;
# a file a COPY reads changed, rebuilt from that step; changed back (a branch switched back),
# the earlier build is reused with no step run. An inline `build:` works too. A failing build
# exits 124 and leaves the earlier image named and usable; a missing Dockerfile is a config
# error naming the line.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
busybox_project
echo one >"$P/data.txt"
cat >>"$P/Dockerfile" <<'D'
RUN echo step-ran >/ran
COPY data.txt /data.txt
RUN cat /data.txt >/copy.txt
D
cat >"$P/bale.yaml" <<'Y'
containers:
  bb:
    dockerfile: Dockerfile
  inline:
    build: |
      FROM scratch
      COPY busybox /bin/busybox
      RUN ["/bin/busybox", "--install", "-s", "/bin"]
      RUN echo inline >/made
commands:
  show:
    container: bb
    run: [cat, /copy.txt]
  made:
    container: inline
    run: [cat, /made]
Y
steps_run() { grep -c 'DONE' "$1" || true; }

[ "$(in_proj "$BALE" show 2>b1.err)" = one ] || fail "first show: $(cat b1.err)"
grep -q 'RUN echo step-ran' b1.err || fail "the first build showed no steps: $(cat b1.err)"
[ "$(in_proj "$BALE" show 2>b2.err)" = one ] || fail "second show"
[ ! -s b2.err ] || fail "nothing changed, yet the build printed: $(cat b2.err)"

echo two >"$P/data.txt"
[ "$(in_proj "$BALE" show 2>b3.err)" = two ] || fail "the changed file was not rebuilt in: $(cat b3.err)"
grep -q 'RUN echo step-ran >/ran CACHED' b3.err || fail "steps before the COPY ran again: $(cat b3.err)"
[ "$(steps_run b3.err)" -eq 2 ] || fail "expected the COPY and the RUN after it to run: $(cat b3.err)"

echo one >"$P/data.txt"   # as if switching back to the earlier branch
[ "$(in_proj "$BALE" show 2>b4.err)" = one ] || fail "switched back: wrong content"
[ "$(steps_run b4.err)" -eq 0 ] || fail "switching back ran steps again: $(cat b4.err)"

[ "$(in_proj "$BALE" made 2>b5.err)" = inline ] || fail "inline build: $(cat b5.err)"

# A failing build: 124, and the earlier image is still there under its name.
name=$("$BALE" images | awk '$1 ~ /^bale-project\/proj-[0-9a-f]+\/bb$/ {print $1 ":" $2}')
[ -n "$name" ] || fail "the built image is not named in the store: $("$BALE" images)"
echo 'RUN exit 5' >>"$P/Dockerfile"
expect_fail 124 "container 'bb': the build failed" in_proj "$BALE" show
[ "$("$BALE" run "$name" cat /copy.txt 2>/dev/null)" = one ] || fail "the earlier build is not usable after a failed one"
no_leftovers=$(ls -A "$BALE_STORE/tmp" 2>/dev/null | grep -c project || true)
[ "$no_leftovers" -eq 0 ] || fail "a failed build left files in the store's tmp"

# A missing Dockerfile.
sed -i 's/dockerfile: Dockerfile/dockerfile: docker\/missing.Dockerfile/' "$P/bale.yaml"
expect_fail 123 "^bale: bale.yaml:2: containers.bb.dockerfile: 'docker/missing.Dockerfile': No such file or directory" in_proj "$BALE" show
echo ok
