#!/bin/bash
# A tar may name a path twice with another kind of file each time: the later entry wins, as GNU
# tar extracts it (a file `ff` then a directory `ff/` gives a directory, a symlink then a file
# gives the file), and a directory then a symlink gives the symlink, as docker applies a layer
# (GNU tar keeps a non-empty directory there). The replaced directory's mode goes nowhere.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

code='
add("bin", type=tarfile.DIRTYPE)
add("bin/busybox", open("/bin/busybox", "rb").read(), mode=0o755)
for a in ("sh", "cat", "ls", "find", "sort", "readlink"):
    add("bin/" + a, type=tarfile.SYMTYPE, linkname="busybox")
add("ff", b"a file first\n")
add("ff", type=tarfile.DIRTYPE, mode=0o750)
add("ff/inside", b"in the directory\n")
add("dd", type=tarfile.DIRTYPE)
add("dd/gone", b"below the directory\n")
add("dd", type=tarfile.SYMTYPE, linkname="ff")
add("ll", type=tarfile.SYMTYPE, linkname="nowhere")
add("ll", b"a file over a symlink\n")
'
sign_tar kinds.bale "$code"
"$BALE" run --insecure kinds.bale /bin/sh -c \
  'cat /ff/inside; readlink /dd; cat /ll; ls -ld /ff | cut -c1-10' >out 2>err ||
  fail "run failed: $(cat err)"
printf 'in the directory\nff\na file over a symlink\ndrwxr-x---\n' | diff - out ||
  fail "the later entries did not win"

# GNU tar as the oracle where it replaces: the same archive gives the same tree.
mkdir gnu
tar -xzf kinds.bale -C gnu --exclude=dd --exclude='dd/*' || fail "GNU tar could not extract kinds.bale"
tree=$(find "$BALE_STORE/images" -mindepth 2 -maxdepth 2 -name rootfs | head -1)
[ -n "$tree" ] || tree=$(find "$BALE_STORE/images" -mindepth 1 -maxdepth 1 -type d | head -1)
diff <(cd gnu && find ff ll -printf '%p %y %m\n' | sort) <(cd "$tree" && find ff ll -printf '%p %y %m\n' | sort) ||
  fail "bale's tree differs from GNU tar's"
exit 0
