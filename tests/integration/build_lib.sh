# shellcheck shell=bash
# Helpers for the `bale build` tests; sourced after lib.sh. Every build keeps its store (and so
# its build cache) under $T.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then  # CTest runs every *.sh here: this one is no test
  echo "SKIP: build_lib.sh holds helpers for the build tests" >&2
  exit 77
fi
export BALE_STORE="$T/store"

# busybox_context DIR: a build context holding the static busybox binary.
busybox_context() {
  mkdir -p "$1"
  cp /bin/busybox "$1/busybox"
}

# The first lines of a FROM scratch Dockerfile with a busybox userland.
BUSYBOX_STAGE='FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]'

# build ARGS...: bale build; its stderr is kept in $T/build.log, its stdout in $T/build.out.
build() {
  "$BALE" build "$@" >"$T/build.out" 2>"$T/build.log" ||
    fail "bale build $* failed: $(tail -20 "$T/build.log")"
}

# extract IMAGE DIR: the image's root filesystem, extracted with GNU tar.
extract() {
  rm -rf "$2"
  mkdir -p "$2"
  tar -xzf "$1" -C "$2" --numeric-owner --xattrs --xattrs-include='*' ||
    fail "GNU tar could not extract '$1'"
}

# image_config IMAGE: the image's config JSON (bale inspect --json), into $T/config.json.
image_config() {
  "$BALE" inspect --json "$1" >"$T/config.json" || fail "bale inspect '$1' failed"
}

# step_lines PATTERN: how many lines of the last build's progress match PATTERN.
step_lines() { grep -cE -- "$1" "$T/build.log" || true; }

# no_build_leftovers: no mount of this test's store, no step dir of a running build left.
no_build_leftovers() {
  ! grep -qF "$T/" /proc/self/mountinfo || fail "mounts left: $(grep -F "$T/" /proc/self/mountinfo)"
  [ -z "$(ls -A "$BALE_STORE/build/steps" 2>/dev/null)" ] ||
    fail "step dirs left in the build cache: $(ls "$BALE_STORE/build/steps")"
}

# scratch_config_field LINES FIELD: config.config.FIELD (as json_get prints it, null if absent)
# of an image built from `FROM scratch`, `COPY f /f` and the Dockerfile LINES.
scratch_config_field() {
  mkdir -p "$T/scratch-ctx" && echo f >"$T/scratch-ctx/f"
  printf 'FROM scratch\nCOPY f /f\n%s\n' "$1" >"$T/scratch-ctx/Dockerfile"
  build -q -o "$T/scratch.bale" "$T/scratch-ctx"
  image_config "$T/scratch.bale"
  json_get "$T/config.json" "j[\"config\"][\"config\"].get(\"$2\")"
}
