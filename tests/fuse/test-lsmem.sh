#!/bin/bash
# SPDX-License-Identifier: MIT
# lsmem --sysroot on the mount prints exactly what it prints on a plain-file copy of the same tree.
. "$(dirname "$0")/lib.sh"

command -v lsmem >/dev/null || skip "lsmem (util-linux) not installed"

R=$TMP/root
mhp_mount "$R/sys" --layout=sysfs
M=$R/sys/devices/system/memory

# a tree with some variety: offline, Movable, a probed block, a removed one
for i in 40 41 42 70; do echo offline >$M/memory$i/state; done
echo online_movable >$M/memory41/state
echo 0x300000000 >$M/probe
echo 0x308000000 >$M/probe
echo online_movable >$M/memory97/state

# copy_tree SRC DST: recreate directories, files (their text) and links without following any
copy_tree() {
	python3 - "$1" "$2" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for top, dirs, files in os.walk(src):
    out = os.path.join(dst, os.path.relpath(top, src))
    os.makedirs(out, exist_ok=True)
    for name in dirs + files:
        p, q = os.path.join(top, name), os.path.join(out, name)
        if os.path.islink(p):
            os.symlink(os.readlink(p), q)
        elif os.path.isfile(p):
            try:
                with open(p, "rb") as f:
                    data = f.read()
            except OSError:
                data = b""
            with open(q, "wb") as f:
                f.write(data)
            os.chmod(q, os.stat(p).st_mode & 0o7777)
PY
}
C=$TMP/copy
mkdir -p $C/sys/devices/system
copy_tree $R/sys/devices/system/memory $C/sys/devices/system/memory
copy_tree $R/sys/devices/system/node $C/sys/devices/system/node
expect_file "$C/sys/devices/system/memory/memory41/valid_zones" Movable

for opts in "" "-a" "-b" "-n -r" "-J" "-P" "-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES" \
	"-a -o BLOCK,NODE,ZONES,STATE" "--split=STATE" "--split=NODE,ZONES" "--summary=only"; do
	a=$(lsmem --sysroot $R $opts 2>&1)
	b=$(lsmem --sysroot $C $opts 2>&1)
	expect_eq "lsmem $opts" "$b" "$a"
	[ -n "$a" ] && pass || fail "lsmem $opts printed nothing"
done
# and the mount's answer is the expected one
expect_eq "lsmem summary" "Memory block size:       128M
Total online memory:    10.8G
Total offline memory:    512M" "$(lsmem --sysroot $R --summary=only)"
# 96 lies inside node0's Movable span [41,98) grown by 41 and 97: Movable first
expect_eq "lsmem zones" "0 online None
1-23 online DMA32
32-39 online Normal
40 offline Normal/Movable
41 online Movable
42 offline Normal/Movable
43-63 online Normal
64-69 online Normal
70 offline Normal/Movable
71-95 online Normal
96 offline Movable/Normal
97 online Movable" "$(lsmem --sysroot $R -n -o BLOCK,STATE,ZONES --split=STATE,ZONES,NODE --summary=never | awk '{print $1, $2, $3}')"

mhp_finish
