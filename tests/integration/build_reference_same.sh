#!/bin/bash
# Behaviours of the Dockerfile reference where bale already gives what BuildKit gives, checked
# against docker.io 20.10.24 (BuildKit, `docker build` with DOCKER_BUILDKIT=1) on the same
# Dockerfiles; every expected value below is what BuildKit gave. Kept here so they stay the same.
# Config: ENTRYPOINT/CMD interplay, SHELL for CMD/ENTRYPOINT (not HEALTHCHECK), HEALTHCHECK NONE,
# options and inheritance, ENV/LABEL/EXPOSE/VOLUME forms, STOPSIGNAL numbers and names, ARG
# defaults from ENV, WORKDIR expansion and chaining, USER. Files: WORKDIR owned by a named USER
# (an existing directory untouched), COPY --chown on the parents it creates, globs, a top-level
# file symlink followed, setuid kept, --chmod on directories, ADD archives keeping their owners
# (--chown/--chmod only on the destination directory), cache mount uid/gid/mode, RUN's
# environment per USER, .dockerignore exceptions.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
need tar

busybox_context ctx
c='j["config"]["config"]'
cfg() { json_get "$T/config.json" "$c.get(\"$1\")"; }
expect_cfg() { [ "$(cfg "$1")" = "$2" ] || fail "$3: $1 is $(cfg "$1"), BuildKit gives $2"; }
P='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
USERS="RUN echo 'root:x:0:0::/root:/bin/sh' >/etc/passwd && echo 'app:x:1000:2000::/home/app:/bin/sh' >>/etc/passwd && echo 'root:x:0:' >/etc/group && echo 'g:x:2000:' >>/etc/group && mkdir -m 1777 /tmp"

# ---- config instructions ----
cat >ctx/Dockerfile <<DF
${BUSYBOX_STAGE/FROM scratch/FROM scratch AS bb}
CMD ["echo", "base"]

FROM bb AS ep-shell
ENTRYPOINT echo hi

FROM bb AS cmd-then-ep
CMD ["mine"]
ENTRYPOINT ["/bin/echo"]

FROM bb AS with-ep
ENTRYPOINT ["/bin/echo"]
FROM with-ep AS ep-after-cmd
CMD ["x"]
ENTRYPOINT ["/bin/true"]

FROM bb AS shell
SHELL ["/bin/sh", "-e", "-c"]
CMD echo hi
ENTRYPOINT exec echo ep
HEALTHCHECK CMD echo ok
FROM shell AS shell-child
CMD echo child

FROM bb AS hc
HEALTHCHECK --interval=5s CMD ["/bin/true"]
FROM hc AS hc-inherited
RUN true
FROM hc AS hc-none
HEALTHCHECK NONE
FROM hc AS hc-options
HEALTHCHECK --start-period=3s --timeout=2s CMD echo

FROM scratch AS env
ENV A=1 B="two words" C=three\\ words D='single \$A' E="dq \$A" F=\${A:-x}\${Z:-dflt}
ENV G value with spaces
ENV H=
ENV A=override I=\$A
ENV PATH=/custom:\$PATH

FROM scratch AS labels
LABEL a=1 "b c"="d e" f=g\\ h
LABEL multi.line="x" \\
      other=y
ARG V=argval
LABEL from.arg=\$V
FROM labels AS labels-child
LABEL a=2

FROM scratch AS ports
EXPOSE 80 80/tcp 53/udp 9000-9001/udp 8080/TCP
FROM ports AS ports-child
EXPOSE 443

FROM scratch AS volumes
VOLUME /a /b
VOLUME ["/c", "/d e"]
VOLUME /data/
VOLUME rel

FROM scratch AS sig-number
STOPSIGNAL 9
FROM sig-number AS sig-inherited
FROM scratch AS sig-rt
STOPSIGNAL SIGRTMIN+3
FROM scratch AS sig-arg
ARG S=SIGUSR1
STOPSIGNAL \$S

FROM bb AS args
ENV E=fromenv
ARG A=\$E-x
ENV FROMARG=\$A ND=\${NODEF:-unset}

FROM bb AS workdir
ENV BASE=/opt APP=svc
WORKDIR \$BASE/\${APP}
WORKDIR ../other
WORKDIR sub
USER 4242:4243
DF
t() { build -q -o "$1.bale" --target "$1" ctx; image_config "$1.bale"; }
t ep-shell
expect_cfg Entrypoint '["/bin/sh","-c","echo hi"]' "ENTRYPOINT shell form"
expect_cfg Cmd null "ENTRYPOINT drops the inherited CMD"
t cmd-then-ep
expect_cfg Cmd '["mine"]' "CMD set in the stage before ENTRYPOINT"
expect_cfg Entrypoint '["/bin/echo"]' "ENTRYPOINT"
t ep-after-cmd
expect_cfg Cmd '["x"]' "CMD then ENTRYPOINT over an inherited ENTRYPOINT"
expect_cfg Entrypoint '["/bin/true"]' "ENTRYPOINT"
t shell
expect_cfg Cmd '["/bin/sh","-e","-c","echo hi"]' "CMD shell form under SHELL"
expect_cfg Entrypoint '["/bin/sh","-e","-c","exec echo ep"]' "ENTRYPOINT shell form under SHELL"
expect_cfg Healthcheck '{"Test":["CMD-SHELL","echo ok"]}' "HEALTHCHECK shell form ignores SHELL"
t shell-child
expect_cfg Cmd '["/bin/sh","-e","-c","echo child"]' "CMD in a stage FROM a stage with SHELL"
t hc-inherited
expect_cfg Healthcheck '{"Interval":5000000000,"Test":["CMD","/bin/true"]}' "HEALTHCHECK inherited"
t hc-none
expect_cfg Healthcheck '{"Test":["NONE"]}' "HEALTHCHECK NONE"
t hc-options
expect_cfg Healthcheck '{"StartPeriod":3000000000,"Test":["CMD-SHELL","echo"],"Timeout":2000000000}' "HEALTHCHECK options"
t env
expect_cfg Env "[\"PATH=/custom:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"A=override\",\"B=two words\",\"C=three words\",\"D=single \$A\",\"E=dq \",\"F=xdflt\",\"G=value with spaces\",\"H=\",\"I=1\"]" "ENV forms"
t labels-child
expect_cfg Labels '{"a":"2","b c":"d e","f":"g h","from.arg":"argval","multi.line":"x","other":"y"}' "LABEL forms"
t ports-child
expect_cfg ExposedPorts '{"443/tcp":{},"53/udp":{},"80/tcp":{},"8080/tcp":{},"9000/udp":{},"9001/udp":{}}' "EXPOSE forms"
t volumes
expect_cfg Volumes '{"/a":{},"/b":{},"/c":{},"/d e":{},"/data/":{},"rel":{}}' "VOLUME forms"
t sig-inherited
expect_cfg StopSignal 9 "STOPSIGNAL 9 inherited"
t sig-rt
expect_cfg StopSignal SIGRTMIN+3 "STOPSIGNAL SIGRTMIN+3"
t sig-arg
expect_cfg StopSignal SIGUSR1 "STOPSIGNAL from an ARG"
t args
expect_cfg Env "[$P,\"E=fromenv\",\"FROMARG=fromenv-x\",\"ND=unset\"]" "ARG default from ENV"
t workdir
expect_cfg WorkingDir /opt/other/sub "WORKDIR expansion and chaining"
expect_cfg User 4242:4243 "USER"

# ---- files ----
mkdir -p ctx/src/sub ctx/empty
echo a >ctx/src/a.txt
echo b >ctx/src/sub/b.txt
ln -s a.txt ctx/src/link
echo s >ctx/src/suid && chmod 4755 ctx/src/suid
chmod 0750 ctx/src/sub
find ctx/src -exec touch -h -d @1600000000 {} +
rm -rf pl && mkdir -p pl/dir/sub
echo in >pl/dir/file && chmod 0604 pl/dir/file && chown 1234:5678 pl/dir/file
echo s >pl/dir/sub/s && chmod 0700 pl/dir/sub
ln -s file pl/dir/link
find pl -exec touch -h -d @1600000000 {} +
tar -C pl -czf ctx/t.tar.gz dir
tar -C pl -cf ctx/t.tar dir
cat >ctx/Dockerfile.files <<DF
${BUSYBOX_STAGE}
$USERS
RUN mkdir -p /exists && chmod 0700 /exists
USER app
WORKDIR /exists
WORKDIR /made/by/app
RUN touch f; env | grep -v HOSTNAME | sort >/tmp/env-app; id >/tmp/id-app
USER app:g
WORKDIR rel
USER 4242:4243
RUN env | grep -v HOSTNAME | sort >/tmp/env-num; id >/tmp/id-num
USER root
RUN env | grep -v HOSTNAME | sort >/tmp/env-root
WORKDIR /made/by/root
COPY --chown=app src /chowned/deep/dir
COPY --chown=app src/a.txt /chowned2/deep/
COPY --chmod=0700 src/sub /chmodded
COPY src/* /glob/
COPY src/link /toplink
COPY src/suid /suid
COPY empty /emptydir
WORKDIR /w
COPY src/a.txt ./
ADD t.tar.gz /x/
ADD --chown=app t.tar.gz /achowned/
ADD --chmod=0600 t.tar /achmodded/
RUN --mount=type=cache,target=/c1 stat -c '%a %u:%g' /c1 >/c1s
RUN --mount=type=cache,target=/c2,uid=5,gid=6,mode=0700 stat -c '%a %u:%g' /c2 >/c2s
RUN --mount=type=cache,target=/c3,uid=5 stat -c '%a %u:%g' /c3 >/c3s
RUN --mount=type=tmpfs,target=/t stat -c '%a %u:%g' /t >/ts
DF
build -q -f ctx/Dockerfile.files -o files.bale ctx
extract files.bale r
check() { [ "$(stat -c "${3:-%u:%g:%a}" "r$1")" = "$2" ] || fail "$1: $(stat -c "${3:-%u:%g:%a}" "r$1"), BuildKit gives $2"; }
check /exists 0:0:700
check /made 1000:2000:755
check /made/by/app 1000:2000:755
check /made/by/app/f 1000:2000:644
check /made/by/app/rel 1000:2000:755
check /made/by/root 0:0:755
for d in /chowned /chowned/deep /chowned/deep/dir /chowned2 /chowned2/deep; do check $d 1000:2000:755; done
check /chowned/deep/dir/sub 1000:2000:750
check /chowned/deep/dir/suid 1000:2000:4755
check /chowned/deep/dir/link 1000:2000 %u:%g
check /chmodded 0:0:755
check /chmodded/b.txt 0:0:700
[ "$(ls r/glob | tr '\n' ' ')" = "a.txt b.txt link suid " ] || fail "COPY src/*: $(ls r/glob)"
[ -f r/glob/link ] && [ ! -L r/glob/link ] || fail "a glob-matched symlink is copied as its target"
[ -f r/toplink ] && [ ! -L r/toplink ] || fail "COPY of a symlink to a file copies the file"
check /toplink 0:0:644
check /suid 0:0:4755
check /suid 1600000000 %Y
check /emptydir 0:0:755
[ "$(ls -A r/emptydir)" = "" ] || fail "empty dir"
check /w/a.txt 0:0:644
for d in /x /achowned /achmodded; do
  check $d/dir/file 1234:5678:604
  check $d/dir/file 1600000000 %Y
  check $d/dir/sub 0:0:700
  [ "$(readlink "r$d/dir/link")" = file ] || fail "$d/dir/link"
done
check /x 0:0:755
check /achowned 1000:2000:755
check /achmodded 0:0:755
[ "$(cat r/c1s)" = "755 0:0" ] || fail "cache mount default: $(cat r/c1s)"
[ "$(cat r/c2s)" = "700 5:6" ] || fail "cache mount uid,gid,mode: $(cat r/c2s)"
[ "$(cat r/c3s)" = "755 5:0" ] || fail "cache mount uid only: $(cat r/c3s)"
[ "$(cat r/ts)" = "1777 0:0" ] || fail "tmpfs mount: $(cat r/ts)"
[ "$(cat r/tmp/id-app)" = "uid=1000(app) gid=2000(g)" ] || fail "RUN as app: $(cat r/tmp/id-app)"
[ "$(cat r/tmp/id-num)" = "uid=4242 gid=4243" ] || fail "RUN as 4242:4243: $(cat r/tmp/id-num)"
[ "$(grep ^HOME= r/tmp/env-app)" = HOME=/home/app ] || fail "HOME for app: $(cat r/tmp/env-app)"
[ "$(grep ^HOME= r/tmp/env-num)" = HOME=/ ] || fail "HOME for a uid not in passwd: $(cat r/tmp/env-num)"
[ "$(grep ^HOME= r/tmp/env-root)" = HOME=/root ] || fail "HOME for root: $(cat r/tmp/env-root)"
[ "$(grep -c . r/tmp/env-root)" = 4 ] || fail "RUN environment: $(cat r/tmp/env-root)"   # HOME PATH PWD SHLVL

# ---- .dockerignore: ** and ! exceptions, directories excluded then files let back in ----
rm -rf di && mkdir -p di/a/b/c di/logs di/keep
for f in a/x.txt a/b/y.txt a/b/c/z.txt logs/1.log keep/k.log top.md other .hidden; do echo "$f" >"di/$f"; done
printf '**/*.txt\n!a/b/**\nlogs\n!logs/1.log\n*.md\n.hidden\nkeep/\n!keep/k.log\n' >di/.dockerignore
printf 'FROM scratch\nCOPY . /ctx/\n' >di/Dockerfile
build -q -o di.bale di
extract di.bale d
[ "$(cd d/ctx && find . -type f | LC_ALL=C sort | tr '\n' ' ')" = "./.dockerignore ./Dockerfile ./a/b/c/z.txt ./a/b/y.txt ./keep/k.log ./logs/1.log ./other " ] ||
  fail ".dockerignore: $(cd d/ctx && find . -type f | LC_ALL=C sort | tr '\n' ' ')"
no_build_leftovers
exit 0
