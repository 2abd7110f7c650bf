#!/bin/bash
# Paths a Dockerfile names (RUN --mount targets, COPY --from sources, bind sources) are
# resolved inside the stage or the context, never on the host: an empty host directory named
# through ".." or through a symlink the step leaves behind stays; a --from symlink resolves in
# its stage's root, as BuildKit resolves it; what is refused is named for what it is.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"

S="$T/sentinel"
mkdir -p "$S/empty" "$S/other"
echo original >"$S/keep"
snapshot() { tree_manifest "$S"; file_hashes "$S"; }
before=$(snapshot)
up=$(printf '../%.0s' $(seq 30))
busybox_context ctx

# A mount target through "..": the step makes and removes its mountpoint, and bale takes the
# copied-up directories out of the change set; none of that may reach the host's $S/empty.
cat >ctx/Dockerfile.dots <<DF
$BUSYBOX_STAGE
RUN mkdir -p ${S}/empty
RUN --mount=type=tmpfs,target=/${up}${S#/}/empty/m true
DF
build -q -f ctx/Dockerfile.dots -o dots.bale ctx
[ "$before" = "$(snapshot)" ] || fail "a RUN --mount target with .. changed '$S'"

# The same through a symlink that the step itself puts back into its change set.
cat >ctx/Dockerfile.link <<DF
$BUSYBOX_STAGE
RUN mkdir -p ${S}/other && ln -s ${S} /a
RUN --mount=type=tmpfs,target=/a/other/m sh -c 'rm /a && ln -s ${S} /a'
DF
build -q -f ctx/Dockerfile.link -o link.bale ctx
[ "$before" = "$(snapshot)" ] || fail "a RUN --mount target through a symlink changed '$S'"

# COPY --from a stage: an absolute symlink to a file of that stage is that file.
cat >ctx/Dockerfile.from <<'DF'
FROM scratch AS src
COPY busybox /bin/busybox
COPY busybox /real
RUN ["/bin/busybox", "ln", "-s", "/real", "/l"]
RUN ["/bin/busybox", "ln", "-s", "/etc/passwd", "/host"]
FROM scratch
COPY --from=src /l /copied
DF
build -q -f ctx/Dockerfile.from -o from.bale ctx
extract from.bale xf
cmp -s xf/copied ctx/busybox || fail "COPY --from=src /l did not copy the file /l leads to in the stage"
# A symlink of the stage to a path it lacks is missing in the stage, not taken from the host.
printf 'FROM scratch AS src\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "ln", "-s", "/etc/passwd", "/host"]\nFROM scratch\nCOPY --from=src /host /x\n' >ctx/Dockerfile.host
expect_fail 1 "Dockerfile.host:5: .*COPY source 'host' in stage 'src': No such file or directory" \
  "$BALE" build -q -f ctx/Dockerfile.host -o bad.bale ctx
printf 'FROM scratch AS src\nCOPY busybox /bin/busybox\nFROM scratch\nCOPY --from=src /nope* /x\n' >ctx/Dockerfile.nope
expect_fail 1 "Dockerfile.nope:4: .*COPY source '/nope\\*': no such file or directory in stage 'src'" \
  "$BALE" build -q -f ctx/Dockerfile.nope -o bad.bale ctx

# A bind source that leads out of the context is refused as a RUN --mount source.
ln -s "$S" ctx/outlink
printf '%s\nRUN --mount=type=bind,source=outlink,target=/m true\n' "$BUSYBOX_STAGE" >ctx/Dockerfile.bind
expect_fail 1 "Dockerfile.bind:4: .*RUN --mount source 'outlink': a symbolic link on the way leads out of the build context" \
  "$BALE" build -q -f ctx/Dockerfile.bind -o bad.bale ctx
[ ! -e bad.bale ] || fail "an image was written"

[ "$before" = "$(snapshot)" ] || fail "a build changed '$S'"
no_build_leftovers
exit 0
