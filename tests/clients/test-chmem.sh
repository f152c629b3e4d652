#!/bin/bash
# SPDX-License-Identifier: MIT
# chmem (util-linux) enables and disables memory through /sys/devices/system/memory: by size, by
# address range and by block, with zones, and its exit codes 1 (nothing done) and 64 (some of the
# request failed) for refusals the kernel makes: memory0 spans DMA and DMA32 (EINVAL), and the
# notifier error injector vetoes offlines (the injected ENOMEM).
. "$(dirname "$0")/../fuse/lib.sh"
DAEMON=$(readlink -f "$DAEMON") # meson passes it relative to the build directory
. "$(dirname "$0")/ns.sh"
command -v chmem >/dev/null || skip "chmem (util-linux) not installed"

cat >"$TMP/inner.sh" <<'INNER'
DAEMON=$1
NS_INNER=1 . "$2"
# node 0: memory0 (none), memory1 (DMA32), hole [2G, 4G), memory4-5 (Normal);
# node 1: memory6-7 (Normal), hot-pluggable [8G, 10G): memory8 and memory9 probed, offline
ns_mount_sysfs --block-size=1G --boot=0-2G@0,4G-6G@0,6G-8G@1 --reserved=2G-4G \
	--hotplug=8G-10G@1
INJ=$S/kernel/debug/notifier-error-inject/memory/actions
echo 0x200000000 >$M/probe
echo 0x240000000 >$M/probe
# "N:state:zones" of every block
states() {
	local d
	for d in $M/memory*; do
		printf '%s:%s:%s ' "${d##*memory}" "$(cat $d/state)" "$(tr ' ' , <$d/valid_zones)"
	done | sed 's/ $//'
}
# run CMD...: chmem's exit code and its messages (stderr) on one line
run() {
	local out rc
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	echo "$rc ${out//$'\n'/ | }"
}
check "initial" "0:online:none 1:online:DMA32 4:online:Normal 5:online:Normal 6:online:Normal 7:online:Normal 8:offline:Normal,Movable 9:offline:Normal,Movable" "$(states)"

# by size: disable takes online removable blocks from the top of memory
check "chmem -d 1G" "0 " "$(run chmem -d 1G)"
check "after -d 1G" "7:offline:Normal,Movable" "$(states | tr ' ' '\n' | grep '^7:')"
# enable by size without a zone: chmem asks for Movable where valid_zones offers it, lowest first
check "chmem -e 2G" "0 " "$(run chmem -e 2G)"
check "after -e 2G" "7:online:Movable 8:online:Movable 9:offline:Normal,Movable" \
	"$(states | tr ' ' '\n' | grep '^[789]:' | tr '\n' ' ' | sed 's/ $//')"
# by block range
check "chmem -d -b 5-6" "0 " "$(run chmem -d -b 5-6)"
check "after -d -b 5-6" "5:offline:Normal,Movable 6:offline:Normal,Movable" \
	"$(states | tr ' ' '\n' | grep '^[56]:' | tr '\n' ' ' | sed 's/ $//')"
# with a zone, by block and by address range
check "chmem -e -z Movable -b 5" "0 " "$(run chmem -e -z Movable -b 5)"
check "chmem -e -z Normal RANGE" "0 " "$(run chmem -e -z Normal 0x180000000-0x1bfffffff)"
check "after zones" "5:online:Movable 6:online:Normal" \
	"$(states | tr ' ' '\n' | grep '^[56]:' | tr '\n' ' ' | sed 's/ $//')"
# a zone valid_zones does not offer: chmem refuses before writing (9 offers Normal, Movable)
check "chmem -e -z DMA32 -b 9" "1 chmem: Memory Block 9 (0x0000000240000000-0x000000027fffffff) enable failed: Zone mismatch" \
	"$(run chmem -e -z DMA32 -b 9)"
check "9 still offline" "9:offline:Normal,Movable" "$(states | tr ' ' '\n' | grep '^9:')"

# memory0 cannot go offline (valid_zones "none": EINVAL): alone chmem fails (1) ...
check "chmem -d -b 0" "1 chmem: Memory Block 0 (0x0000000000000000-0x000000003fffffff) disable failed: Invalid argument" \
	"$(run chmem -d -b 0)"
# ... and in a range with memory1 the request is partly done (64)
check "chmem -d RANGE with memory0" "64 chmem: Memory Block 0 (0x0000000000000000-0x000000003fffffff) disable failed: Invalid argument" \
	"$(run chmem -d 0x0-0x7fffffff)"
check "after partial" "0:online:none 1:offline:DMA32,Movable" \
	"$(states | tr ' ' '\n' | grep '^[01]:' | tr '\n' ' ' | sed 's/ $//')"
# by block without a zone chmem also prefers Movable ("DMA32 Movable" offers it)
check "chmem -e -b 1" "0 " "$(run chmem -e -b 1)"
check "1 back, Movable" "1:online:Movable" "$(states | tr ' ' '\n' | grep '^1:')"

# the error injector vetoes MEM_GOING_OFFLINE: chmem reports the injected errno, nothing changes
echo -12 >$INJ/MEM_GOING_OFFLINE/error
before=$(states)
check "chmem -d -b 4 injected" "1 chmem: Memory Block 4 (0x0000000100000000-0x000000013fffffff) disable failed: Cannot allocate memory" \
	"$(run chmem -d -b 4)"
check "chmem -d -b 4-5 injected" "1 chmem: Memory Block 4 (0x0000000100000000-0x000000013fffffff) disable failed: Cannot allocate memory | chmem: Memory Block 5 (0x0000000140000000-0x000000017fffffff) disable failed: Cannot allocate memory" \
	"$(run chmem -d -b 4-5)"
check "nothing changed under injection" "$before" "$(states)"
echo 0 >$INJ/MEM_GOING_OFFLINE/error
# MEM_GOING_ONLINE: one block of two enables (9 is offline, 1 online already: chmem skips it)
echo -16 >$INJ/MEM_GOING_ONLINE/error
check "chmem -e -b 9 injected" "1 chmem: Memory Block 9 (0x0000000240000000-0x000000027fffffff) enable failed: Device or resource busy" \
	"$(run chmem -e -b 9)"
echo 0 >$INJ/MEM_GOING_ONLINE/error

# more than there is: the six online blocks but memory0 go, chmem says how much it did (64)
check "chmem -d 100G" "64 chmem: Could only disable 6G of memory" "$(run chmem -d 100G)"
check "all but memory0 offline" "0:online:none 1:offline:DMA32,Movable 4:offline:Normal,Movable 5:offline:Normal,Movable 6:offline:Normal,Movable 7:offline:Normal,Movable 8:offline:Normal,Movable 9:offline:Normal,Movable" "$(states)"
check "lsmem total" "Total online memory:       1G" "$(lsmem --summary=only | grep online)"
INNER

ns_run "$TMP/inner.sh"
[ "$CHECKS" -ge 24 ] || fail "only $CHECKS checks ran"
mhp_finish
