#!/bin/bash
# ADD URL sets the file's mtime from the response's Last-Modified header.
# Dockerfile reference (ADD, remote files): "If the remote file being retrieved has an HTTP
# Last-Modified header, the timestamp from that header will be used to set the mtime".
# BuildKit (docker.io 20.10.24) gives mtime 1500000000 and mode 600 for all three files; bale
# gives the same to a download checked with --checksum.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
mkdir -p ctx www
echo web >www/file.txt
touch -d @1500000000 www/file.txt   # python's http.server sends it as Last-Modified
serve_http www file.txt
port=$HTTP_PORT
sum=$(sha256sum www/file.txt | cut -d' ' -f1)   # with --checksum it is downloaded later
cat >ctx/Dockerfile <<DF
FROM scratch
ADD http://127.0.0.1:$port/file.txt /web/
ADD http://127.0.0.1:$port/file.txt /named
ADD --chown=5:6 http://127.0.0.1:$port/file.txt /owned
ADD --checksum=sha256:$sum http://127.0.0.1:$port/file.txt /checked
DF
build -q -o img.bale ctx
extract img.bale r
for f in /web/file.txt /named /owned /checked; do
  [ "$(stat -c %Y:%a "r$f")" = 1500000000:600 ] || fail "$f: mtime:mode $(stat -c %Y:%a "r$f"), BuildKit gives 1500000000:600"
done
[ "$(stat -c %u:%g r/owned)" = 5:6 ] || fail "/owned: $(stat -c %u:%g r/owned)"
exit 0
