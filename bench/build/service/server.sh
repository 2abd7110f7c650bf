#!/bin/sh
# The toy service of bench/build/service. `--check` runs at build time in a late RUN step;
# bench/build.sh appends to this file for the "one file changed" rebuild.
set -eu
conf=/etc/app/config.ini
if [ "${1:-}" = --check ]; then
  test -r "$conf"
  curl --version | head -1
  echo "server.sh: config readable, curl present"
  exit 0
fi
port=$(sed -n 's/^port *= *//p' "$conf")
echo "serving $(sed -n 's/^data *= *//p' "$conf") on port $port"
exec sleep infinity
