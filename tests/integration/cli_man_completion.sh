#!/bin/bash
# The man pages and the bash completion made from `bale --help` (scripts/gen-cli-docs): every
# command has a page that man renders without a warning and that names every option its --help
# lists; the completion, in a real bash, completes commands, options, names in the store and
# files; `cmake --install` puts both where man and bash-completion look.
. "$(dirname "$0")/lib.sh"
need man
need groff
export BALE_STORE=$T/store

bash "$BALE_SRC/scripts/gen-cli-docs" "$BALE" docs || fail "gen-cli-docs failed"
mapfile -t commands < <("$BALE" --help | sed -n '/^Subcommands:$/,/^$/s/^  \([a-z-]*\) .*/\1/p')
[ ${#commands[@]} -ge 10 ] || fail "found only ${#commands[@]} commands in 'bale --help'"

# render PAGE: the page as man shows it, wide enough that no option name is broken; groff's
# warnings (all of them, -ww) in $T/.warn.
render() {
  LC_ALL=C.UTF-8 MANWIDTH=200 man --warnings -l "$1" 2>"$T/.warn"
}
# help_options ARGS...: every option name `bale ARGS --help` lists, one a line.
help_options() {
  "$BALE" "$@" --help | grep -E '^  -' | sed -E 's/^  ([^ ]+).*/\1/' | tr ',' '\n'
}

for page in bale "${commands[@]/#/bale-}"; do
  [ -s "docs/man1/$page.1" ] || fail "no man page for '$page'"
  render "docs/man1/$page.1" >"$page.txt"
  [ ! -s "$T/.warn" ] || fail "man warns about $page.1: $(cat "$T/.warn")"
  groff -man -Tutf8 -ww -z "docs/man1/$page.1" 2>"$T/.warn"
  [ ! -s "$T/.warn" ] || fail "groff warns about $page.1: $(cat "$T/.warn")"
  for section in NAME SYNOPSIS OPTIONS 'SEE ALSO'; do
    grep -q "^$section" "$page.txt" || fail "$page.1 lacks $section: $(cat "$page.txt")"
  done
done
for c in "${commands[@]}"; do
  while read -r opt; do
    grep -qE -- "(^|[ ,])$opt([ ,]|$)" "bale-$c.txt" || fail "bale-$c.1 does not list '$opt'"
  done < <(help_options "$c")
  grep -qF "$("$BALE" "$c" --help | sed -n 1p)" "bale-$c.txt" || fail "bale-$c.1 lacks the description"
  grep -qF "bale-$c(1)" bale.txt || fail "bale.1 does not point at bale-$c(1)"
done
# The options of subcommands (trust add, store gc) are in their command's page.
while read -r opt; do
  grep -qE -- "(^|[ ,])$opt([ ,]|$)" bale-store.txt || fail "bale-store.1 does not list gc's '$opt'"
done < <(help_options store gc)
grep -q -- '--all' bale-store.txt || fail "bale-store.1 lacks 'store gc --all'"

# complete WORD...: what the completion offers for the last WORD, one a line, sorted, from a
# bash that sourced nothing else.
complete_words() {
  bash --norc --noprofile -c '
    . "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _bale
    printf "%s\n" "${COMPREPLY[@]}"' _ "$T/docs/bash-completion/bale" "$@" | LC_ALL=C sort
}
[ "$(complete_words bale ru)" = run ] || fail "'bale ru<TAB>' gave: $(complete_words bale ru)"
[ "$(complete_words bale i)" = "$(printf 'images\nimport\ninspect')" ] ||
  fail "'bale i<TAB>' gave: $(complete_words bale i)"
diff <(complete_words bale run --) <(help_options run | grep -- '^--' | LC_ALL=C sort) >"$T/.diff" ||
  fail "'bale run --<TAB>' differs from run's --help options: $(cat "$T/.diff")"
complete_words bale bootstrap - | grepq -x -- --mirror || fail "'bale bootstrap -<TAB>' lacks --mirror"
[ "$(complete_words bale images --format j)" = json ] || fail "'bale images --format j<TAB>' gave: $(complete_words bale images --format j)"
[ "$(complete_words bale trust r | tr '\n' ' ')" = "registry remove " ] ||
  fail "'bale trust r<TAB>' gave: $(complete_words bale trust r)"

# Names in a test store: COMP_WORDS[0] is the bale being completed, so this one's store is read.
make_busybox_root root
"$BALE" pack root -o img.bale -t webapp:1.0 -t webapp 2>/dev/null || fail "pack -t failed"
out=$(complete_words "$BALE" run web)
[ "$out" = "$(printf 'webapp\nwebapp:1.0\nwebapp:latest')" ] || fail "'bale run web<TAB>' gave: $out"
out=$(complete_words "$BALE" run -e A=1 --read-only web)
[ "$out" = "$(printf 'webapp\nwebapp:1.0\nwebapp:latest')" ] || fail "'bale run -e A=1 --read-only web<TAB>' gave: $out"
# Paths: an image file beside the names, an option's file, and nothing but names for rmi.
[ "$(complete_words "$BALE" inspect im)" = img.bale ] || fail "'bale inspect im<TAB>' gave: $(complete_words "$BALE" inspect im)"
[ "$(complete_words bale pack root -o im)" = img.bale ] || fail "'bale pack root -o im<TAB>' gave: $(complete_words bale pack root -o im)"
[ "$(complete_words bale pack ro)" = root ] || fail "'bale pack ro<TAB>' gave: $(complete_words bale pack ro)"
[ -z "$(complete_words "$BALE" rmi im)" ] || fail "'bale rmi im<TAB>' offered files: $(complete_words "$BALE" rmi im)"

# `cmake --install` of the build that made $BALE puts the pages and the completion in place.
build=$(dirname "$BALE")
if [ -f "$build/CMakeCache.txt" ] && [ -f "$build/cli-docs/stamp" ]; then
  cmake --install "$build" --prefix "$T/prefix" >/dev/null || fail "cmake --install failed"
  for c in bale "${commands[@]/#/bale-}"; do
    [ -s "$T/prefix/share/man/man1/$c.1" ] || fail "cmake --install left out man1/$c.1"
  done
  [ -s "$T/prefix/share/bash-completion/completions/bale" ] || fail "cmake --install left out the completion"
  cmp -s "$T/prefix/share/man/man1/bale-run.1" docs/man1/bale-run.1 || fail "the installed bale-run.1 is not this bale's"
fi
exit 0
