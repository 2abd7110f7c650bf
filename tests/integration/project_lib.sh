# shellcheck shell=bash
# Helpers for the project (bale.yaml) tests; sourced after lib.sh. Each test's store, and so its
# build cache and the projects' volumes, lives under $T.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then  # CTest runs every *.sh here: this one is no test
  echo "SKIP: project_lib.sh holds helpers for the project tests" >&2
  exit 77
fi
export BALE_STORE="$T/store"
P="$T/proj"

# busybox_project [DIR]: a project directory (default $P) whose Dockerfile makes a busybox
# container; the caller writes bale.yaml.
busybox_project() {
  local d=${1:-$P}
  mkdir -p "$d"
  cp /bin/busybox "$d/busybox"
  printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' \
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]' 'ENV FROM_IMAGE=image' >"$d/Dockerfile"
}

# yaml TEXT: $P/bale.yaml with a busybox container `bb` and the commands in TEXT (already
# indented under `commands:`).
yaml() {
  printf 'containers:\n  bb:\n    dockerfile: Dockerfile\ncommands:\n%s\n' "$1" >"$P/bale.yaml"
}

# in_proj CMD...: CMD run in $P.
in_proj() { (cd "$P" && "$@"); }

# no_pid_ns_left: no process of this test's store is left (an init or a command).
processes_of() { pgrep -f "$1" || true; }
