#!/usr/bin/env bash
# `bale build` beside its peers, same Dockerfiles, same base, one run, printing ratios.
#   cases (bench/build/):  scratch-busybox  10 steps FROM scratch, busybox only
#                          service          debian:bookworm, 5 RUN (apt-get install) + 2 COPY
#                          many-files       debian:bookworm, COPY of 5,000 files + 1 RUN
#   each case, each builder: cold build (build cache wiped, base image kept), rebuild with
#   nothing changed, rebuild after changing one file used by a late step. Wall time, median of
#   ROUNDS rounds; in every round each builder takes its turn (the order rotates), so that the
#   machine's and the apt mirror's drift fall on all of them alike.
#   peers: docker build with BuildKit (a dockerd of its own, started and stopped here),
#   buildah bud and podman build (chroot and OCI/runc isolation); for the cases over
#   debian:bookworm also the same RUN/COPY steps replayed in a plain chroot (the floor: what the
#   commands themselves cost). bale's peak memory: /usr/bin/time %M (bale and the RUN steps it
#   waits for) and the VmHWM of the bale process alone, polled during one more cold build.
# Targets: rebuild, nothing changed: <= 0.5 x BuildKit and <= 0.3 s; one file changed: <= 1.0 x
#   BuildKit; cold: <= 1.0 x BuildKit, and for the service image bale - plain chroot <= 1 s;
#   bale's own peak memory <= 100 MB.
# The base everywhere is the debootstrap minbase tree /var/cache/bale-tests/debian-bookworm
# (made here, as tests/integration/debian_image.sh makes it, when missing), in a copy set up as
# Docker's Debian images are (apt and dpkg settings, below), imported into each builder as
# debian:bookworm. Every RUN has the host's network (BuildKit's default bridge needs a
# bridge, which this dockerd does not create; the chroot builders have nothing else).
# usage: bench/build.sh [ROUNDS]   (as root; default 3; after scripts/setup --bench, which
#        installs docker.io, buildah and podman too)
#   BUILD_PEERS="bale buildkit buildah-chroot buildah-oci podman-chroot podman-oci chroot"
#   BUILD_CASES="scratch-busybox service many-files"   narrow the run (defaults: all of them)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
rounds=${1:-3}
bale=${BALE:-$src/build/bale}
# docker.io's own client: a newer `docker` earlier in PATH (e.g. /usr/local/bin) may insist on
# the buildx plugin for BuildKit builds, which bookworm does not package.
docker_cli=${DOCKER_CLI:-/usr/bin/docker}
deb=/var/cache/bale-tests/debian-bookworm
deb_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
read -ra peers <<<"${BUILD_PEERS:-bale buildkit buildah-chroot buildah-oci podman-chroot podman-oci chroot}"
read -ra cases <<<"${BUILD_CASES:-scratch-busybox service many-files}"
[ "$(id -u)" -eq 0 ] || { echo "bench/build.sh: run as root" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/build.sh: needs /usr/bin/time (package time)" >&2; exit 2; }

w=$(mktemp -d /var/tmp/bale-bench-build.XXXXXX)
dockerd_pid=""
cleanup() {
  stop_dockerd
  # What the builders leave mounted below their storage (overlay, dockerd's netns file).
  findmnt -rn -o TARGET | { grep -F "$w/" || true; } | sort -r | xargs -r umount -l
  rm -rf "$w"
}
trap cleanup EXIT
export BALE_CONFIG_DIR=$w/config BALE_STORE=$w/store
mkdir -p "$w/log"

. bench/lib.sh
# median_s LIST: the median of whitespace-separated microsecond figures, in seconds ("fail"
# when the list has no figure: every try failed).
median_s() {
  # shellcheck disable=SC2086  # split on purpose
  printf '%s\n' $1 | { grep -E '^[0-9]+$' || true; } | sort -n |
    awk '{a[NR]=$1} END {if (NR) printf "%.3f", a[int((NR+1)/2)]/1e6; else print "fail"}'
}

machine

# ---- the Debian base tree (as tests/integration/debian_image.sh makes it) ----
if [ ! -d "$deb" ]; then
  command -v debootstrap >/dev/null || { echo "no $deb and no debootstrap (scripts/setup --bench)" >&2; exit 2; }
  echo "making $deb (debootstrap --variant=minbase bookworm, about 80 MB to download)"
  mkdir -p "$(dirname "$deb")"
  exec 8>"$deb.lock"
  flock 8
  if [ ! -d "$deb" ]; then
    rm -rf "$deb.tmp"
    if ! debootstrap --variant=minbase bookworm "$deb.tmp" http://deb.debian.org/debian \
        >"$w/log/debootstrap.log" 2>&1; then
      findmnt -rn -o TARGET | { grep -F "$deb.tmp/" || true; } | sort -r | xargs -r umount -l
      rm -rf "$deb.tmp"
      echo "debootstrap failed: $(tail -3 "$w/log/debootstrap.log")" >&2; exit 1
    fi
    mv "$deb.tmp" "$deb"
  fi
  exec 8>&-
fi
# The base every builder imports: that tree set up as Docker's Debian images are (and as `bale
# bootstrap` sets up its own, src/cmd/bootstrap.cc): no package caches or downloaded packages
# kept, no translations fetched, dpkg without fsync, no service started by an install.
base=$w/debian-bookworm
cp -a "$deb" "$base"
printf '#!/bin/sh\nexit 101\n' >"$base/usr/sbin/policy-rc.d"
chmod 755 "$base/usr/sbin/policy-rc.d"
clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"'
printf 'DPkg::Post-Invoke { %s; };\nAPT::Update::Post-Invoke { %s; };\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' \
  "$clean" "$clean" >"$base/etc/apt/apt.conf.d/docker-clean"
echo 'Acquire::Languages "none";' >"$base/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$base/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$base/etc/apt/apt.conf.d/docker-autoremove-suggests"
echo force-unsafe-io >"$base/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"

# ---- the build contexts: the fixtures, plus what is generated rather than committed ----
for c in "${cases[@]}"; do
  [ -f "bench/build/$c/Dockerfile" ] || { echo "no case bench/build/$c" >&2; exit 2; }
  cp -a "bench/build/$c" "$w/ctx-$c"
done
if [ -d "$w/ctx-scratch-busybox" ]; then
  # FROM scratch needs a static busybox: package busybox-static (ldd fails on a static binary).
  if ldd /bin/busybox >/dev/null 2>&1; then
    echo "/bin/busybox is dynamically linked: install busybox-static" >&2; exit 2
  fi
  cp /bin/busybox "$w/ctx-scratch-busybox/busybox"
fi
if [ -d "$w/ctx-many-files" ]; then
  # 50 directories of 100 files; file i has 1 to 64 lines of 64 bytes (64 B to 4 KiB).
  files=$w/ctx-many-files/files
  mkdir -p "$files"/d{00..49}
  awk -v dir="$files" 'BEGIN {
    for (i = 0; i < 5000; i++) {
      f = sprintf("%s/d%02d/f%04d.txt", dir, int(i / 100), i)
      n = 1 + (i * 7919) % 64
      for (l = 0; l < n; l++) printf "%-63s\n", sprintf("file %04d line %02d", i, l) > f
      close(f)
    }
  }'
fi
# The file each case's "one file changed" rebuild touches: used by a late step.
changed_file() {
  case $1 in
    scratch-busybox) echo app.sh ;;
    service) echo server.sh ;;
    many-files) echo files/d49/f4999.txt ;;
  esac
}
uses_debian() { grep -q '^FROM debian:bookworm' "$w/ctx-$1/Dockerfile"; }
need_debian=false
for c in "${cases[@]}"; do uses_debian "$c" && need_debian=true; done

# ---- the builders ----
label() {
  case $1 in
    bale) echo "bale build" ;;
    buildkit) echo "DOCKER_BUILDKIT=1 docker build (dockerd)" ;;
    buildah-chroot) echo "buildah bud --layers --isolation chroot" ;;
    buildah-oci) echo "buildah bud --layers --isolation oci (runc)" ;;
    podman-chroot) echo "podman build --isolation chroot" ;;
    podman-oci) echo "podman build (oci, runc)" ;;
    chroot) echo "plain chroot, same RUN/COPY steps" ;;
  esac
}
# ctl PEER ARGS...: the peer's own tool on its own storage (nothing shared with the host's).
ctl() {
  local p=$1; shift
  case $p in
    buildkit) "$docker_cli" -H "unix://$w/docker/sock" "$@" ;;
    buildah-*) buildah --root "$w/$p/root" --runroot "$w/$p/run" --storage-driver overlay "$@" ;;
    podman-*) podman --root "$w/$p/root" --runroot "$w/$p/run" --storage-driver overlay \
                --events-backend none "$@" ;;
  esac
}
# build_cmd PEER CASE: sets cmd=(...), one build of the case's context (tagged bench-CASE).
build_cmd() {
  local p=$1 ctx=$w/ctx-$2 tag=bench-$2
  local own=(--storage-driver overlay --root "$w/$p/root" --runroot "$w/$p/run")
  case $p in
    bale) cmd=("$bale" build -f "$ctx/Dockerfile" -t "$tag" "$ctx") ;;
    buildkit) cmd=(env DOCKER_BUILDKIT=1 "$docker_cli" -H "unix://$w/docker/sock" build
                   --network host -f "$ctx/Dockerfile" -t "$tag" "$ctx") ;;
    buildah-chroot) cmd=(buildah "${own[@]}" bud --layers --pull=never --isolation chroot
                         --network host -f "$ctx/Dockerfile" -t "$tag" "$ctx") ;;
    buildah-oci) cmd=(buildah "${own[@]}" bud --layers --pull=never --isolation oci --runtime runc
                      --network host -f "$ctx/Dockerfile" -t "$tag" "$ctx") ;;
    podman-chroot) cmd=(podman "${own[@]}" --events-backend none build --pull=never
                        --isolation chroot --network host -f "$ctx/Dockerfile" -t "$tag" "$ctx") ;;
    podman-oci) cmd=(podman "${own[@]}" --events-backend none --runtime runc build --pull=never
                     --network host -f "$ctx/Dockerfile" -t "$tag" "$ctx") ;;
    chroot) cmd=(unshare -m bash -c "$(declare -f replay); replay \"\$@\"" replay "$ctx" "$w/chroot") ;;
  esac
}
# wipe PEER CASE: the build cache gone, the base image kept (the state a cold build starts from).
wipe() {
  local p=$1 tag=bench-$2 e
  case $p in
    bale)
      "$bale" rmi "$tag" || true
      # The build cache is $BALE_STORE/build; drop too whatever else the builds added to the
      # store since the base was packed (unpacked images, blobs).
      rm -rf "$BALE_STORE/build"
      for e in "$BALE_STORE"/images/* "$BALE_STORE"/blobs/*; do
        [ -e "$e" ] && ! grep -qxF "$e" "$w/bale-pristine" && rm -rf "$e"
      done ;;
    buildkit) ctl "$p" rmi -f "$tag"; ctl "$p" builder prune -af ;;
    buildah-*) ctl "$p" rmi -f "$tag"; ctl "$p" rmi --prune ;;  # --layers' intermediate images
    podman-*) ctl "$p" rmi -f "$tag"; ctl "$p" image prune -f ;;
    chroot) rm -rf "$w/chroot"; cp -a "$base" "$w/chroot" ;;  # a fresh copy of the tree
  esac >>"$w/log/$p-wipe.log" 2>&1 || true
}

# replay CTX ROOT: the Dockerfile's RUN, COPY, ENV and WORKDIR in a plain chroot of ROOT, with
# /proc and /dev bound and the host's resolv.conf: the floor under the same apt-get commands.
# Runs in a mount namespace of its own (unshare -m), so the binds go with it. It reads only
# the simple forms bench/build/ uses (one KEY=VALUE per ENV, COPY SRC DST); USER is ignored
# (the fixtures put it after the last RUN).
replay() {
  set -euo pipefail
  local ctx=$1 root=$2 wd=/ instr args src dst
  local vars=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root)
  mount --bind /proc "$root/proc"
  mount --rbind /dev "$root/dev"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  while read -r instr args; do
    case ${instr^^} in
      ENV) vars+=("$args") ;;
      WORKDIR) wd=$args; mkdir -p "$root$wd" ;;
      COPY)
        read -r src dst <<<"$args"
        if [ -d "$ctx/$src" ]; then mkdir -p "$root$dst"; cp -a "$ctx/$src/." "$root$dst/"
        elif [ "${dst%/}" != "$dst" ]; then mkdir -p "$root$dst"; cp -a "$ctx/$src" "$root$dst"
        else mkdir -p "$(dirname "$root$dst")"; cp -a "$ctx/$src" "$root$dst"; fi ;;
      RUN) env -i "${vars[@]}" chroot "$root" /bin/sh -c "cd $wd && $args" ;;
    esac
  done < <(awk '/^[[:space:]]*#/ {next} sub(/\\$/, "") {buf = buf $0; next} {print buf $0; buf = ""}' \
           "$ctx/Dockerfile")
}

start_dockerd() {
  command -v dockerd >/dev/null || { why="dockerd not installed (package docker.io)"; return 1; }
  [ -x "$docker_cli" ] || { why="no $docker_cli (package docker.io)"; return 1; }
  mkdir -p "$w/docker"
  # Private everything: data, exec root (with its own containerd), socket, trust key (else
  # /etc/docker/key.json; no flag for it in 20.10, only this setting); no bridge and no iptables
  # rules, so nothing on the host's network changes.
  printf '{"deprecated-key-path": "%s"}\n' "$w/docker/key.json" >"$w/docker/daemon.json"
  dockerd --config-file "$w/docker/daemon.json" --data-root "$w/docker/data" \
    --exec-root "$w/docker/exec" --pidfile "$w/docker/pid" -H "unix://$w/docker/sock" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false >"$w/log/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 150); do
    ctl buildkit info >/dev/null 2>&1 && { dockerd_version=$(ctl buildkit version -f '{{.Server.Version}}'); return 0; }
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.2
  done
  why="dockerd did not start: $(grep -v '^$' "$w/log/dockerd.log" | tail -1)"
  return 1
}
stop_dockerd() {
  [ -n "$dockerd_pid" ] || return 0
  local cpid=""
  [ -f "$w/docker/exec/containerd/containerd.pid" ] && cpid=$(cat "$w/docker/exec/containerd/containerd.pid")
  kill "$dockerd_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$dockerd_pid" 2>/dev/null || true
  wait "$dockerd_pid" 2>/dev/null || true
  # dockerd stops the containerd it started; make sure (by its pid) if it did not.
  if [ -n "$cpid" ]; then kill "$cpid" 2>/dev/null || true; fi
  dockerd_pid=""
}

# import_base PEER: the Debian tree as debian:bookworm in the peer's storage, unpacked there
# (PATH and CMD as in Docker's debian:bookworm).
import_base() {
  local p=$1 c m
  case $p in
    bale)  # the run unpacks it into the store, as the other builders' imports do
      "$bale" pack "$base" -o "$w/debian.bale" -t debian:bookworm -e "PATH=$deb_path" --cmd '["bash"]' &&
        "$bale" run debian:bookworm /bin/true ;;
    buildkit)
      tar -C "$base" -c . | ctl "$p" import -c "ENV PATH=$deb_path" -c 'CMD ["bash"]' - debian:bookworm ;;
    buildah-*)  # buildah has no import: a scratch container filled with the tree, committed
      c=$(ctl "$p" from scratch) && m=$(ctl "$p" mount "$c") && cp -a "$base/." "$m/" &&
        ctl "$p" config --env "PATH=$deb_path" --cmd '["bash"]' "$c" &&
        ctl "$p" commit -q "$c" debian:bookworm && ctl "$p" rm "$c" ;;
    podman-*)
      tar -C "$base" -c . | ctl "$p" import --change "ENV PATH=$deb_path" --change 'CMD ["bash"]' - debian:bookworm ;;
  esac
}

# ---- which peers can build here: each builds a three-line busybox Dockerfile ----
mkdir -p "$w/ctx-probe"
cp /bin/busybox "$w/ctx-probe/"
printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' 'RUN ["/bin/busybox", "true"]' \
  >"$w/ctx-probe/Dockerfile"
dockerd_version=""
active=()
echo
for p in "${peers[@]}"; do
  why=""
  case $p in
    bale) [ -x "$bale" ] || why="no $bale (scripts/setup)" ;;
    buildkit) start_dockerd || true ;;
    buildah-*|podman-*) command -v "${p%-*}" >/dev/null || why="${p%-*} not installed" ;;
    chroot) $need_debian || why="no case over debian:bookworm selected" ;;  # nothing to probe
    *) why="unknown peer (expected bale buildkit buildah-chroot buildah-oci podman-chroot podman-oci chroot)" ;;
  esac
  if [ -z "$why" ] && [ "$p" = bale ]; then
    "$bale" key >/dev/null 2>"$w/log/bale-key.log" || why="bale key: $(tail -1 "$w/log/bale-key.log")"
  fi
  if [ -z "$why" ] && [ "$p" != chroot ]; then
    build_cmd "$p" probe
    if ! "${cmd[@]}" >"$w/log/$p-probe.log" 2>&1; then
      why=$(grep -v '^[[:space:]]*$' "$w/log/$p-probe.log" | tail -2 | tr -s ' \n' ' ')
    fi
  fi
  if [ -z "$why" ] && $need_debian && [ "$p" != chroot ]; then
    import_base "$p" >"$w/log/$p-import.log" 2>&1 ||
      why="importing the Debian tree: $(grep -v '^[[:space:]]*$' "$w/log/$p-import.log" | tail -1)"
  fi
  if [ -n "$why" ]; then
    printf '%-46s cannot run here: %s\n' "$(label "$p")" "$why"
    [ "$p" = buildkit ] && stop_dockerd
  else
    active+=("$p")
  fi
done
if [ -d "$BALE_STORE" ]; then  # what the store holds before any build (wipe keeps only that)
  ls -d "$BALE_STORE"/images/* "$BALE_STORE"/blobs/* 2>/dev/null >"$w/bale-pristine" || true
fi
versions=""
[ -n "$dockerd_version" ] && versions+="dockerd $dockerd_version, "
command -v buildah >/dev/null && versions+="$(buildah --version | cut -d' ' -f1-3), "
command -v podman >/dev/null && versions+="$(podman --version), "
command -v runc >/dev/null && versions+="$(runc --version | head -1)"
echo "versions: $versions"

# ---- the rounds ----
declare -A t rss med  # t[case/peer/kind]: microsecond figures; rss[case/peer]: max %M in KiB
# timed CASE PEER KIND: one build, its wall time appended to t[...] (or "fail", with the log's
# last lines printed). Returns the build's status.
timed() {
  local c=$1 p=$2 k=$3 s e m log=$w/log/$2-$1.log
  build_cmd "$p" "$c"
  echo "== $k build, round $r" >>"$log"
  s=$(date +%s%N)
  if /usr/bin/time -f %M -o "$w/rss" "${cmd[@]}" >>"$log" 2>&1; then
    e=$(date +%s%N)
    t[$c/$p/$k]+=" $(((e - s) / 1000))"
    m=$(tail -1 "$w/rss")
    [ "$m" -gt "${rss[$c/$p]:-0}" ] && rss[$c/$p]=$m
    return 0
  fi
  t[$c/$p/$k]+=" fail"
  echo "   $(label "$p"), $c, $k build failed: $(grep -v '^[[:space:]]*$' "$log" | tail -2 | tr '\n' ' ')"
  return 1
}
# bale_alone_kib CASE: the peak RSS (VmHWM) of the bale process alone, not of the RUN steps it
# starts, polled every 20 ms during one more cold build.
bale_alone_kib() {
  local c=$1 pid hwm=0 v
  wipe bale "$c"
  build_cmd bale "$c"
  "${cmd[@]}" >>"$w/log/bale-$c.log" 2>&1 &
  pid=$!
  while v=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null) && [ -n "$v" ]; do
    [ "$v" -gt "$hwm" ] && hwm=$v
    sleep 0.02
  done
  wait "$pid" || true
  echo "$hwm"
}

for c in "${cases[@]}"; do
  echo
  echo "== $c: $(grep -c '^[A-Z]' "$w/ctx-$c/Dockerfile") instructions (FROM included)," \
       "changed file: $(changed_file "$c"), median of $rounds rounds =="
  case_peers=()
  for p in "${active[@]}"; do
    [ "$p" = chroot ] && ! uses_debian "$c" && continue
    case_peers+=("$p")
  done
  n=${#case_peers[@]}
  [ "$n" -gt 0 ] || { echo "no builder can run here"; continue; }
  for r in $(seq "$rounds"); do
    for i in $(seq 0 $((n - 1))); do
      p=${case_peers[$(((i + r) % n))]}  # the order rotates from round to round
      wipe "$p" "$c"
      timed "$c" "$p" cold || continue
      [ "$p" = chroot ] && continue  # the floor is only for the cold build
      timed "$c" "$p" nochange || continue
      echo "# changed: round $r, $p" >>"$w/ctx-$c/$(changed_file "$c")"
      timed "$c" "$p" onefile || true
    done
  done
  rm -rf "$w/chroot"

  printf '%-46s %9s %12s %11s %9s\n' builder "cold s" "no-change s" "one-file s" "peak MB"
  med=()
  for p in "${case_peers[@]}"; do
    for k in cold nochange onefile; do med[$p/$k]=$(median_s "${t[$c/$p/$k]:-}"); done
    peak=$(awk -v k="${rss[$c/$p]:-0}" 'BEGIN {if (k) printf "%.1f", k / 1024; else print "-"}')
    case $p in buildkit|chroot) peak="-" ;; esac  # BuildKit works in dockerd; the chroot is no builder
    [ "$p" = chroot ] && med[$p/nochange]="-" med[$p/onefile]="-"
    printf '%-46s %9s %12s %11s %9s\n' "$(label "$p")" "${med[$p/cold]}" "${med[$p/nochange]}" \
      "${med[$p/onefile]}" "$peak"
  done
  echo "(peak MB: /usr/bin/time %M, the builder's own process or the RUN steps it waits for," \
       "whichever is larger; BuildKit's work happens in dockerd)"
  if [ "${med[chroot/cold]:-fail}" != fail ]; then  # what each builder adds to the commands
    line="cold build - plain chroot, s:"
    for p in "${case_peers[@]}"; do
      [ "$p" != chroot ] && [ "${med[$p/cold]}" != fail ] &&
        line+=" $p $(awk -v a="${med[$p/cold]}" -v b="${med[chroot/cold]}" 'BEGIN {printf "%.3f", a - b}')"
    done
    echo "$line"
  fi

  # Ratios: bale against each peer that built the case.
  if [ -n "${med[bale/cold]:-}" ] && [ "${med[bale/cold]}" != fail ]; then
    for p in "${case_peers[@]}"; do
      [ "$p" = bale ] || [ "$p" = chroot ] && continue
      line="ratio bale/$p:"
      for k in cold nochange onefile; do
        if [ "${med[bale/$k]}" != fail ] && [ "${med[$p/$k]}" != fail ]; then
          line+=" $k $(ratio "${med[bale/$k]}" "${med[$p/$k]}")"
        else
          line+=" $k -"
        fi
      done
      [ "$p" = buildkit ] && line+="   (targets: cold <= 1.0, nochange <= 0.5, onefile <= 1.0)"
      echo "$line"
    done
    [ "${med[bale/nochange]}" != fail ] &&
      echo "bale rebuild, nothing changed: ${med[bale/nochange]} s   (target <= 0.3 s)"
    if [ "$c" = service ] && [ -n "${med[chroot/cold]:-}" ] && [ "${med[chroot/cold]}" != fail ]; then
      echo "bale cold - plain chroot: $(awk -v a="${med[bale/cold]}" -v b="${med[chroot/cold]}" \
           'BEGIN {printf "%.3f", a - b}') s   (target <= 1 s)"
    fi
    alone=$(bale_alone_kib "$c")
    echo "bale peak RSS: $(awk -v k="${rss[$c/bale]:-0}" 'BEGIN {printf "%.1f", k / 1024}') MB with" \
         "its RUN steps (%M), $(awk -v k="$alone" 'BEGIN {printf "%.1f", k / 1024}') MB the bale" \
         "process alone (VmHWM)   (target <= 100 MB)"
  elif [ -n "${med[bale/cold]:-}" ]; then
    echo "(bale build failed here: see above; no ratios)"
  fi
done
