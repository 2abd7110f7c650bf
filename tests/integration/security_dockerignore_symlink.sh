#!/bin/bash
# A build context is often someone else's tree (a clone, an unpacked archive). Its .dockerignore,
# Dockerfile.dockerignore and Dockerfile may be symlinks to files outside the context; `bale
# build CONTEXT` must not read those host files. BuildKit reads both only from what it took
# of the context, resolving a symlink inside the context's root (an absolute target is taken as
# relative to the context; `..` stops at it): a .dockerignore pointing out of the context then
# ignores nothing, a Dockerfile pointing out of it is the context's file of that path, or none.
# bale may do as BuildKit does, or refuse with an error naming the file; it must never apply
# the host file's patterns or build the host's Dockerfile. docs/building.md says as much for
# COPY sources: a symlink whose target is outside the context is an error.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"

S="$T/sentinel"
mkdir -p "$S/sub"
echo secret.txt >"$S/ignore"                                   # would hide secret.txt
printf 'FROM scratch\nLABEL from=host\nCOPY . /ctx/\n' >"$S/Dockerfile"
echo original >"$S/sub/keep"
before=$(tree_manifest "$S"; file_hashes "$S")
sentinel_same() { [ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ]; }

# context DIR: a context with two plain files and a Dockerfile that copies everything.
context() {
  rm -rf "$1"
  mkdir -p "$1"
  echo secret >"$1/secret.txt"
  echo keep >"$1/keepme.txt"
  printf 'FROM scratch\nLABEL from=context\nCOPY . /ctx/\n' >"$1/Dockerfile"
}

# try_build NAME CTX: bale build CTX into NAME.bale; $rc, and build.log / build.out.
try_build() {
  rc=0
  "$BALE" build -q -o "$1.bale" "$2" >"$T/build.out" 2>"$T/build.log" || rc=$?
  grep -qiE 'internal error|terminate|what\(\)' "$T/build.log" && fail "$1: bale build crashed: $(cat "$T/build.log")"
  sentinel_same || fail "$1: the sentinel changed"
}

# An ignore file that is a symlink out of the context: the host's pattern must not apply.
n=0
for ignore in .dockerignore Dockerfile.dockerignore; do
  for target in "$S/ignore" "../../../../../../../../..$S/ignore"; do
    n=$((n + 1))
    context "ctx$n"
    ln -s "$target" "ctx$n/$ignore"
    try_build "ign$n" "ctx$n"
    if [ "$rc" -eq 0 ]; then
      extract "ign$n.bale" "x$n"
      [ -f "x$n/ctx/keepme.txt" ] || fail "$ignore -> $target: keepme.txt is missing from the image"
      [ -f "x$n/ctx/secret.txt" ] ||
        fail "$ignore -> $target: bale read the host file '$S/ignore' outside the context and applied its pattern (BuildKit ignores nothing here)"
    else
      grep -qF "$ignore" "$T/build.log" ||
        fail "$ignore -> $target: the build failed ($rc) without naming '$ignore': $(cat "$T/build.log")"
    fi
  done
done

# A Dockerfile that is a symlink out of the context, the default Dockerfile of `bale build CTX`.
# The context also holds the file BuildKit would resolve it to (CTX/<target path>).
for target in "$S/Dockerfile" "../../../../../../../../..$S/Dockerfile"; do
  n=$((n + 1))
  context "ctx$n"
  mkdir -p "ctx$n/${S#/}"
  printf 'FROM scratch\nLABEL from=context-resolved\nCOPY keepme.txt /\n' >"ctx$n/${S#/}/Dockerfile"
  rm "ctx$n/Dockerfile"
  ln -s "$target" "ctx$n/Dockerfile"
  try_build "df$n" "ctx$n"
  if [ "$rc" -eq 0 ]; then
    image_config "df$n.bale"
    from=$(json_get "$T/config.json" 'j["config"]["config"].get("Labels", {}).get("from", "")')
    [ "$from" != host ] ||
      fail "Dockerfile -> $target: bale built the host's Dockerfile '$S/Dockerfile' from outside the context"
    [ "$from" = context-resolved ] || fail "Dockerfile -> $target: built, with label from='$from'"
  else
    grep -qF "Dockerfile" "$T/build.log" ||
      fail "Dockerfile -> $target: the build failed ($rc) without naming the Dockerfile: $(cat "$T/build.log")"
  fi
done

sentinel_same || fail "the sentinel outside the context changed"
no_build_leftovers
exit 0
