# shellcheck shell=bash
# Helpers for the host app tests (`bale app`); sourced after lib.sh and run_lib.sh. Apps are
# registered under $T/config/apps ($BALE_CONFIG_DIR) and their links under $T/bin.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then  # CTest runs every *.sh here: this one is no test
  echo "SKIP: app_lib.sh holds helpers for the app tests" >&2
  exit 77
fi
mkdir -p "$T/bin"

# make_layer_images: three images stacked by the tests, each adding /etc/layer (its own name)
# and /etc/NAME-only: base.bale (a busybox root), mid.bale and delta.bale (only those files;
# delta's config sets DELTA_ENV and WorkingDir /srv).
make_layer_images() {
  local n
  run_root base stty
  mkdir -p mid/etc delta/etc delta/srv
  for n in base mid delta; do
    echo "$n" >"$n/etc/layer"
    echo "$n" >"$n/etc/$n-only"
  done
  "$BALE" pack base -o base.bale 2>/dev/null || fail "pack base"
  "$BALE" pack mid -o mid.bale 2>/dev/null || fail "pack mid"
  "$BALE" pack delta -o delta.bale -e DELTA_ENV=from-delta -w /srv 2>/dev/null || fail "pack delta"
  chmod 644 base.bale mid.bale delta.bale
}

# register_sh NAME [OPTIONS...]: $T/bin/NAME runs /bin/sh of the stacked images with OPTIONS.
register_sh() {
  local name=$1
  shift
  "$BALE" app register --app "$T/bin/$name" --image "$T/delta.bale" --layer "$T/mid.bale" \
    --base "$T/base.bale" --target /bin/sh "$@" >/dev/null || fail "register $name failed"
}
