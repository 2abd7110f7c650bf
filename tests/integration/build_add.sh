#!/bin/bash
# ADD: a local tar archive, plain or compressed with gzip, bzip2 or xz, is unpacked into the
# destination, recognized by its content whatever its name; a compressed file that is not a tar
# is copied as it is. ADD of an http URL downloads it (mode 0600), checked against --checksum.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need python3
need bzip2
need xz

busybox_context ctx
mkdir -p payload/dir
echo inside >payload/dir/file
ln -s file payload/dir/link
tar -C payload -cf ctx/plain.tar dir
tar -C payload -czf ctx/archive.data dir      # a gzip tar without a telling name
tar -C payload -cjf ctx/a.tar.bz2 dir
tar -C payload -cJf ctx/a.tar.xz dir
echo 'not a tar' | gzip >ctx/notes.gz
mkdir www
echo 'downloaded content' >www/file.txt
sum=$(sha256sum www/file.txt | cut -d' ' -f1)
serve_http www file.txt
port=$HTTP_PORT

cat >ctx/Dockerfile <<EOF
FROM scratch
ADD plain.tar /plain/
ADD archive.data /gz
ADD a.tar.bz2 /bz2
ADD a.tar.xz /xz
ADD notes.gz /notes/
ADD --checksum=sha256:$sum http://127.0.0.1:$port/file.txt /web/
EOF
build -o add.bale ctx
extract add.bale r
for d in plain gz bz2 xz; do
  [ "$(cat "r/$d/dir/file")" = inside ] || fail "ADD did not unpack the $d archive: $(find "r/$d" | head)"
  [ "$(readlink "r/$d/dir/link")" = file ] || fail "the $d archive's symlink"
done
[ "$(gzip -dc r/notes/notes.gz)" = 'not a tar' ] || fail "a gzip that is no tar must be copied as is"
[ "$(cat r/web/file.txt)" = 'downloaded content' ] || fail "ADD URL: $(ls -la r/web)"
[ "$(stat -c %a r/web/file.txt)" = 600 ] || fail "ADD URL mode: $(stat -c %a r/web/file.txt)"

# Without --checksum the URL is fetched on every build and its content keys the step.
printf 'FROM scratch\nADD http://127.0.0.1:%s/file.txt /web/\n' "$port" >ctx/Dockerfile.nosum
build -f ctx/Dockerfile.nosum -o n1.bale ctx
build -f ctx/Dockerfile.nosum -o n2.bale ctx
[ "$(step_lines ' CACHED$')" -eq 1 ] || fail "an unchanged URL was not cached: $(cat "$T/build.log")"
echo 'changed content' >www/file.txt
build -f ctx/Dockerfile.nosum -o n3.bale ctx
[ "$(step_lines ' CACHED$')" -eq 0 ] || fail "a changed URL's content was taken from the cache"
extract n3.bale n3
[ "$(cat n3/web/file.txt)" = 'changed content' ] || fail "ADD URL after the change: $(cat n3/web/file.txt)"
sum=$(sha256sum www/file.txt | cut -d' ' -f1)

printf 'FROM scratch\nADD --checksum=sha256:%064d http://127.0.0.1:%s/file.txt /web/\n' 0 "$port" >ctx/Dockerfile.bad
expect_fail 1 "Dockerfile.bad:2: ADD http://127.0.0.1:$port/file.txt: checksum mismatch: expected sha256:0+, got sha256:$sum" \
  "$BALE" build -f ctx/Dockerfile.bad -o bad.bale ctx
[ -e bad.bale ] && fail "an image was written after a checksum mismatch"
printf 'FROM scratch\nADD http://127.0.0.1:%s/missing.txt /web/\n' "$port" >ctx/Dockerfile.404
expect_fail 1 "Dockerfile.404:2: .*404" "$BALE" build -f ctx/Dockerfile.404 -o bad.bale ctx
no_build_leftovers
exit 0
