#!/bin/bash
# SPDX-License-Identifier: MIT
# --seed=SYSROOT: a plain-file system root built from the reference capture (and a variant with
# offline and Movable blocks) is copied into the emulation: `lsmem --sysroot` prints exactly the
# same thing for the source and the mount, every block file reads the same, the emulation stays
# writable and kernel-like, and the source is never written.
. "$(dirname "$0")/lib.sh"

REFERENCE=${3:-}
MKROOT=$(dirname "$0")/../sysroot-from-capture.py
command -v lsmem >/dev/null || skip "lsmem (util-linux) not installed"
command -v python3 >/dev/null || skip "python3 not installed (builds the sysroot)"
[ -r "$REFERENCE" ] || skip "the reference capture '$REFERENCE' is not readable"

# fingerprint DIR: every name, type, mode, mtime, ctime and content below DIR
fingerprint() {
	(cd "$1" && find . -printf '%p %y %m %T@ %C@ %s %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 -r md5sum)
}

# same_blocks SRC MNT: the block files and links read the same on both
block_files() {
	(cd $1/sys/devices/system/memory &&
		grep -H . memory*/state memory*/online memory*/valid_zones memory*/phys_index \
			memory*/removable &&
		find memory* -maxdepth 1 -name 'node*' | sort)
}
same_blocks() {
	local src=$1/sys/devices/system/memory mnt=$2/sys/devices/system/memory
	local a b
	a=$(block_files $1)
	b=$(block_files $2)
	expect_eq "block files of $(basename $1)" "$a" "$b"
	[ $(echo "$a" | wc -l) -gt 1000 ] && pass || fail "block_files read too little: $a"
	for f in block_size_bytes auto_online_blocks; do
		expect_eq "$f" "$(cat $src/$f)" "$(cat $mnt/$f)"
	done
	for f in possible online has_cpu has_memory; do
		expect_eq "node/$f" "$(cat $1/sys/devices/system/node/$f)" \
			"$(cat $2/sys/devices/system/node/$f)"
	done
	expect_eq "node0/cpulist" "$(cat $1/sys/devices/system/node/node0/cpulist)" \
		"$(cat $2/sys/devices/system/node/node0/cpulist)"
}

same_lsmem() { # SRC MNT
	local opts a b
	for opts in "" "-a" "-b" "-n -r" "-J" "-P" "-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES" \
		"-a -o BLOCK,NODE,ZONES,STATE" "--split=STATE" "--split=NODE,ZONES" "--summary=only"; do
		a=$(lsmem --sysroot "$1" $opts 2>&1)
		b=$(lsmem --sysroot "$2" $opts 2>&1)
		expect_eq "lsmem $opts ($(basename $1))" "$a" "$b"
	done
}

# ---- the reference VM as captured ----------------------------------------------------------------
SRC=$TMP/ref
python3 "$MKROOT" "$REFERENCE" $SRC || fail "sysroot-from-capture.py failed"
before=$(fingerprint $SRC)
E=$TMP/emu1
mhp_mount $E/sys --layout=sysfs --seed=$SRC
same_lsmem $SRC $E
same_blocks $SRC $E
expect_eq "lsmem reference" "RANGE                                 SIZE  STATE REMOVABLE  BLOCK
0x0000000000000000-0x00000000bfffffff   3G online       yes   0-23
0x0000000100000000-0x000000063fffffff  21G online       yes 32-199

Memory block size:       128M
Total online memory:      24G
Total offline memory:      0B" "$(lsmem --sysroot $E)"
# it stays a kernel: offline, EINVAL for a second offline, none cannot go, the PCI hole is busy
M=$E/sys/devices/system/memory
expect_write $M/memory150/state offline
expect_write_err $M/memory150/state offline "Invalid argument"
expect_file $M/memory150/valid_zones "Normal Movable"
expect_write_err $M/memory0/state offline "Invalid argument"
expect_write $M/memory150/online 1
expect_file $M/memory150/valid_zones Normal
[ -e $M/probe ] && fail "the source has no probe file" || pass
mhp_umount $E/sys
expect_eq "source unchanged" "$before" "$(fingerprint $SRC)"

# ---- a history: blocks offlined, Movable blocks, a hot-added block never onlined ----------------
V=$TMP/var
python3 "$MKROOT" "$REFERENCE" $V || fail "sysroot-from-capture.py failed"
VM=$V/sys/devices/system/memory
set_block() { # ID STATE VALID_ZONES
	printf '%s\n' "$2" >$VM/memory$1/state
	[ "$2" = online ] && echo 1 >$VM/memory$1/online || echo 0 >$VM/memory$1/online
	printf '%s\n' "$3" >$VM/memory$1/valid_zones
}
# what a 6.18 kernel shows after: offline 100 and 150, offline 190..199, online_movable 192..199,
# then a DIMM at 25 GiB ([25G, 25.25G)) hot-added and left offline (beyond the Normal span
# [32, 190) and the Movable span [192, 200): neither intersects, so Normal comes first)
set_block 100 offline "Normal Movable"
set_block 150 offline "Normal Movable"
for i in 190 191; do set_block $i offline "Normal Movable"; done
for i in $(seq 192 199); do set_block $i online Movable; done
for i in 200 201; do
	mkdir -p $VM/memory$i
	cp -a $VM/memory199/. $VM/memory$i/
	printf '%08x\n' $i >$VM/memory$i/phys_index
	set_block $i offline "Normal Movable"
	ln -s ../../memory/memory$i $V/sys/devices/system/node/node0/memory$i
done
echo online_movable >$VM/auto_online_blocks
before=$(fingerprint $V)
E=$TMP/emu2
mhp_mount $E/sys --layout=sysfs --seed=$V
same_lsmem $V $E
same_blocks $V $E
grep -q "difference" $TMP/daemon.log && fail "the daemon reported differences: $(cat $TMP/daemon.log)" || pass
M=$E/sys/devices/system/memory
# the zone spans are the seeded ones: 200 is beyond both, 191 next to Movable
expect_write $M/memory200/state online
expect_file $M/memory200/valid_zones Normal
expect_write $M/memory191/state online_movable
expect_file $M/memory191/valid_zones Movable
expect_write $M/memory150/state online_kernel
expect_file $M/memory150/valid_zones Normal
mhp_umount $E/sys
expect_eq "variant source unchanged" "$before" "$(fingerprint $V)"

# ---- refused seeds: nothing is mounted --------------------------------------------------------
D=$TMP/never
mkdir -p $D
out=$("$DAEMON" -f --seed=$TMP/nothing $D 2>&1) && fail "--seed of a missing root exited 0" || pass
[[ $out == *"seed $TMP/nothing: No such file or directory"* ]] && pass || fail "missing: $out"
out=$("$DAEMON" -f --seed=$SRC --block-size=256M $D 2>&1) && fail "--seed with --block-size" || pass
[[ $out == *"--seed"*"the machine's shape comes from the seed"* ]] && pass || fail "shape: $out"
case $(stat -f -c %T $D) in fuse*) fail "mounted"; fusermount3 -u $D ;; *) pass ;; esac

mhp_finish
