#!/bin/bash
# Bad Dockerfiles and contexts: each is refused with FILE:LINE and what is wrong, exit 1, no
# image written, the cache as it was, no mount and no step directory left behind.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"

busybox_context ctx
printf '%s\nRUN echo ok >/ok\n' "$BUSYBOX_STAGE" >ctx/Dockerfile
build -o good.bale ctx
entries=$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 | wc -l)
ln -s ../../../etc/passwd ctx/escape
mkdir ctx/dir

# bad LINE PATTERN DOCKERFILE-TEXT: the build fails at that line with that message.
n=0
bad() {
  n=$((n + 1))
  printf '%b' "$3" >"ctx/Dockerfile.$n"
  expect_fail 1 "^bale: .*ctx/Dockerfile\\.$n:$1: $2" "$BALE" build -f "ctx/Dockerfile.$n" -o bad.bale ctx
  [ -e bad.bale ] && fail "Dockerfile.$n: an image was written"
  return 0
}
bad 2 "unknown instruction: FOO" 'FROM scratch\nFOO bar\n'
bad 2 "COPY: unknown flag '--bogus'" 'FROM scratch\nCOPY --bogus=1 busybox /x\n'
bad 2 "RUN: unknown flag '--privileged'" 'FROM scratch\nRUN --privileged true\n'
bad 2 "COPY source 'missing': no such file or directory in the build context" 'FROM scratch\nCOPY missing /x\n'
bad 2 "COPY source '../x': outside the build context" 'FROM scratch\nCOPY ../x /x\n'
bad 2 "COPY source 'escape': a symbolic link on the way leads out of the build context" 'FROM scratch\nCOPY escape /x\n'
bad 2 "stage 'b' depends on itself" 'FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\nCOPY --from=a /x /y\n'
bad 2 "--from=nope: not a stage of this Dockerfile" 'FROM scratch\nCOPY --from=nope /x /x\n'
bad 2 "unterminated heredoc" 'FROM scratch\nRUN <<EOF\necho never ends\n'
bad 1 "FROM debian:sid: .*no image of that name" 'FROM debian:sid\n'
bad 1 "RUN before the first FROM: only ARG may come before FROM" 'RUN true\nFROM scratch\n'
bad 2 "SHELL requires the arguments in JSON form" 'FROM scratch\nSHELL /bin/bash -c\n'
bad 2 "EXPOSE 'x80': not a port" 'FROM scratch\nEXPOSE x80\n'
bad 2 "bad substitution" 'FROM scratch\nENV A=${B\n'
bad 2 "--chmod=9: expected an octal mode" 'FROM scratch\nCOPY --chmod=9 busybox /x\n'
bad 2 "--mount=type=secret is not supported yet" 'FROM scratch\nRUN --mount=type=secret,id=x true\n'
bad 2 "--mount=type=cache,target=/c,uid=abc: uid must be a number, got 'abc'" 'FROM scratch\nRUN --mount=type=cache,target=/c,uid=abc true\n'
bad 3 "--mount=type=cache,target=/c,gid=x: gid must be a number, got 'x'" 'FROM scratch\n\nRUN --mount=type=cache,target=/c,gid=x true\n'
bad 2 "--mount=type=cache,target=/c,mode=rw: mode must be an octal mode such as 755, got 'rw'" 'FROM scratch\nRUN --mount=type=cache,target=/c,mode=rw true\n'
bad 3 "COPY: cannot replace the directory '/y/busybox' with a file" 'FROM scratch\nCOPY dir /y/busybox/\nCOPY busybox /y/\n'
mkdir empty
expect_fail 2 "no Dockerfile at '$T/empty/Dockerfile'" "$BALE" build -o bad.bale empty
expect_fail 1 "build context 'nowhere': No such file or directory" "$BALE" build -o bad.bale nowhere
expect_fail 2 "give -o IMAGE, -t NAME, or both" "$BALE" build ctx

# Steps that succeeded before a failure are kept (as in Docker); nothing else may have changed.
[ "$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 | wc -l)" -le "$((entries + 1))" ] ||
  fail "failed builds added more to the cache than the one step that succeeded"
build -o again.bale ctx
[ "$(step_lines ' CACHED$')" -eq 3 ] || fail "the cache was harmed: $(cat "$T/build.log")"
no_build_leftovers
exit 0
