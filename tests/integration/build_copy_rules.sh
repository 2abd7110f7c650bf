#!/bin/bash
# COPY as Docker does it: a directory's contents (not itself), a file to a path or into a
# directory (trailing '/' or an existing one), globs, several sources into a '/' directory,
# --chown by name or id, --chmod, hardlinks, symlinks, modes, mtimes and xattrs kept,
# .dockerignore with '!' exceptions and '**', COPY --from a stage, an image file and by index,
# and heredoc sources with and without expansion.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
need setfattr

busybox_context ctx
mkdir -p ctx/src/sub ctx/logs/keep ctx/cfg
echo a >ctx/src/a.txt
echo b >ctx/src/sub/b.txt
ln ctx/src/a.txt ctx/src/hard.txt
ln -s a.txt ctx/src/link
chmod 0751 ctx/src/sub
touch -d @1600000000 ctx/src/a.txt
setfattr -n user.origin -v context ctx/src/a.txt
echo 1 >ctx/cfg/one.conf
echo 2 >ctx/cfg/two.conf
echo x >ctx/cfg/skip.txt
echo drop >ctx/logs/x.log
echo keep >ctx/logs/keep/important.log
echo secret >ctx/id.key
printf '*.key\n**/*.log\n!logs/keep/important.log\n' >ctx/.dockerignore
cat >ctx/Dockerfile <<EOF
$BUSYBOX_STAGE
RUN echo 'app:x:1000:2000:app:/home/app:/bin/sh' >/etc/passwd; echo 'staff:x:2000:' >/etc/group; \
    mkdir /existing && mkdir -m 0750 /srv && chown 5:6 /srv && touch -d @1500000000 /srv && \
    ln -s srv /link
COPY src/a.txt /link/
COPY src /dir-contents
COPY src/a.txt /renamed.txt
COPY src/a.txt /into/
COPY src/a.txt /existing
COPY cfg/*.conf /confs/
COPY cfg/one.conf cfg/two.conf /both/
COPY --chown=app:staff src/sub /owned-by-name
COPY --chown=123 --chmod=0640 src/a.txt /owned-by-id
COPY . /whole/
FROM scratch AS other
COPY --from=0 /dir-contents/sub /from-index
COPY --from=./ctx-image.bale /etc/marker /from-image
COPY <<EOT /heredoc-expanded
home=\$HOME
EOT
COPY <<"EOT" /heredoc-literal
home=\$HOME
EOT
EOF
mkdir -p mk/etc && echo marker >mk/etc/marker
"$BALE" pack mk -o ctx/ctx-image.bale 2>/dev/null || fail "pack"
echo 'ctx-image.bale' >>ctx/.dockerignore
build -o all.bale --target 0 ctx
extract all.bale r
[ "$(ls r/dir-contents | tr '\n' ' ')" = "a.txt hard.txt link sub " ] || fail "directory contents: $(ls r/dir-contents)"
[ "$(stat -c %i r/dir-contents/a.txt)" = "$(stat -c %i r/dir-contents/hard.txt)" ] || fail "hardlink not kept"
[ "$(readlink r/dir-contents/link)" = a.txt ] || fail "symlink not kept"
[ "$(stat -c %a r/dir-contents/sub)" = 751 ] || fail "mode of a copied directory: $(stat -c %a r/dir-contents/sub)"
[ "$(stat -c %Y r/dir-contents/a.txt)" = 1600000000 ] || fail "mtime not kept"
[ "$(getfattr --only-values -n user.origin r/dir-contents/a.txt 2>/dev/null)" = context ] || fail "xattr not kept"
[ "$(stat -c %u:%g r/dir-contents/a.txt)" = 0:0 ] || fail "COPY without --chown must give root: $(stat -c %u:%g r/dir-contents/a.txt)"
[ "$(cat r/srv/a.txt)" = a ] || fail "COPY through the stage's symlink /link did not land in /srv"
[ -L r/link ] || fail "the destination symlink was replaced"
[ "$(stat -c %a:%u:%g r/srv)" = 750:5:6 ] ||
  fail "a directory of the stage COPY wrote into lost its metadata: $(stat -c %a:%u:%g r/srv)"
[ "$(cat r/renamed.txt)" = a ] || fail "file to a new name"
[ "$(cat r/into/a.txt)" = a ] || fail "file into a trailing-slash directory"
[ "$(cat r/existing/a.txt)" = a ] || fail "file into an existing directory"
[ "$(ls r/confs | tr '\n' ' ')" = "one.conf two.conf " ] || fail "glob: $(ls r/confs)"
[ "$(ls r/both | tr '\n' ' ')" = "one.conf two.conf " ] || fail "two sources"
[ "$(stat -c %u:%g r/owned-by-name/b.txt)" = 1000:2000 ] || fail "--chown by name: $(stat -c %u:%g r/owned-by-name/b.txt)"
[ "$(stat -c %u:%g:%a r/owned-by-id)" = 123:123:640 ] || fail "--chown=123 --chmod=0640: $(stat -c %u:%g:%a r/owned-by-id)"
[ -e r/whole/id.key ] && fail ".dockerignore: *.key was copied"
[ -e r/whole/logs/x.log ] && fail ".dockerignore: **/*.log was copied"
[ "$(cat r/whole/logs/keep/important.log)" = keep ] || fail ".dockerignore: the ! exception was not copied"
[ -e r/whole/Dockerfile ] || fail "the Dockerfile is part of the context"

build -o other.bale ctx
extract other.bale o
[ "$(cat o/from-index/b.txt)" = b ] || fail "COPY --from=0"
[ "$(cat o/from-image)" = marker ] || fail "COPY --from=IMAGE FILE"
[ "$(cat o/heredoc-expanded)" = "home=" ] || fail "heredoc with expansion: $(cat o/heredoc-expanded)"
[ "$(cat o/heredoc-literal)" = "home=\$HOME" ] || fail "quoted heredoc: $(cat o/heredoc-literal)"

# Several sources need a directory destination.
printf 'FROM scratch\nCOPY cfg/one.conf cfg/two.conf /not-a-dir\n' >ctx/Dockerfile.bad
expect_fail 1 "Dockerfile.bad:2: COPY with more than one source needs a directory destination" \
  "$BALE" build -f ctx/Dockerfile.bad -o bad.bale ctx
exit 0
