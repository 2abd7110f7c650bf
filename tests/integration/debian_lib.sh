# shellcheck shell=bash
# The Debian minbase tree the suite shares (debootstrap, built once per machine and kept in
# /var/cache/bale-tests), and a file:// mirror made from it: sourced after lib.sh.

debian_cache=/var/cache/bale-tests/debian-bookworm

# unmount_below DIR: detach what an interrupted debootstrap left mounted below DIR (/proc, /sys).
unmount_below() {
  findmnt -rn -o TARGET | { grep -F "$1/" || true; } | sort -r | xargs -r umount -l
}

# debian_cache_tree: debootstrap into $debian_cache.tmp, renamed when complete, so a killed build
# never leaves a half tree under the final name. The lock makes concurrent first runs build once.
debian_cache_tree() {
  mkdir -p "$(dirname "$debian_cache")"
  exec 8>"$debian_cache.lock"
  flock 8
  if [ ! -d "$debian_cache" ]; then
    unmount_below "$debian_cache.tmp"
    rm -rf "$debian_cache.tmp"
    if ! debootstrap --variant=minbase bookworm "$debian_cache.tmp" http://deb.debian.org/debian \
        >"$T/debootstrap.log" 2>&1; then
      unmount_below "$debian_cache.tmp"
      rm -rf "$debian_cache.tmp"
      skip "debootstrap failed (no network?): $(tail -3 "$T/debootstrap.log")"
    fi
    mv "$debian_cache.tmp" "$debian_cache"
  fi
  exec 8>&-
  [ -x "$debian_cache/bin/bash" ] || fail "the cached tree '$debian_cache' has no /bin/bash; remove it to rebuild"
}

# debian_file_mirror DIR: a bookworm mirror in DIR that debootstrap reads with file://DIR, made of
# what the cached tree kept: the signed InRelease, the Packages file it names (its hash is in
# InRelease) and the downloaded packages at their pool paths. No network, and debootstrap still
# checks Debian's signature and every checksum.
debian_file_mirror() {
  local m=$1 lists=$debian_cache/var/lib/apt/lists
  local prefix
  debian_cache_tree
  prefix=$(find "$lists" -maxdepth 1 -name '*_dists_bookworm_InRelease' -printf '%f\n' | head -1)
  prefix=${prefix%InRelease}
  [ -n "$prefix" ] || skip "the cached tree kept no InRelease"
  mkdir -p "$m/dists/bookworm/main/binary-amd64"
  cp "$lists/${prefix}InRelease" "$m/dists/bookworm/InRelease"
  cp "$lists/${prefix}main_binary-amd64_Packages" "$m/dists/bookworm/main/binary-amd64/Packages"
  # Packages stanzas: Package, Version, Architecture, Filename; a .deb in the tree's cache is
  # named PACKAGE_VERSION_ARCH.deb, with an epoch's ':' as %3a.
  awk '/^Package: / { p = $2 } /^Version: / { v = $2 } /^Architecture: / { a = $2 }
       /^Filename: / { f = $2 } /^$/ { if (f != "") { gsub(/:/, "%3a", v); print p "_" v "_" a ".deb " f }; f = "" }' \
    "$m/dists/bookworm/main/binary-amd64/Packages" >"$m/filenames"
  local deb file n=0
  while read -r deb file; do
    [ -f "$debian_cache/var/cache/apt/archives/$deb" ] || continue
    mkdir -p "$m/$(dirname "$file")"
    ln "$debian_cache/var/cache/apt/archives/$deb" "$m/$file" 2>/dev/null ||
      cp "$debian_cache/var/cache/apt/archives/$deb" "$m/$file"
    n=$((n + 1))
  done <"$m/filenames"
  [ "$n" -ge 50 ] || skip "the cached tree kept only $n packages for a mirror"
}
