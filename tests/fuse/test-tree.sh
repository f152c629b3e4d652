#!/bin/bash
# SPDX-License-Identifier: MIT
# The tree against SPEC §0/§1 and the capture of a real 6.18 sysfs: every captured path exists
# with the same type, mode, size and link target; machine-independent contents are identical;
# the rest has the kernel's formats.
. "$(dirname "$0")/lib.sh"

REF=${3:-}
[ -n "$REF" ] && [ -r "$REF" ] || skip "reference capture not found ($REF)"

R=$TMP/root
mhp_mount "$R/sys" --layout=sysfs
S=$R/sys

# files whose content does not depend on the machine's size
same_content() {
	case $1 in
	devices/system/memory/*) return 0 ;;
	devices/system/node/node0/cpulist | devices/system/node/node0/cpumap) return 0 ;;
	devices/system/node/*/uevent | devices/system/node/has_generic_initiator) return 0 ;;
	devices/system/node/*/compact | devices/system/node/*/reclaim) return 0 ;;
	bus/memory/*) return 0 ;;
	module/memory_hotplug/parameters/*) return 0 ;;
	esac
	return 1
}

nref=0
while read -r type mode path rest; do
	case $type in f | d | l) ;; *) continue ;; esac
	p=${path#/sys/}
	# hugepages/ is not modelled (no hugetlb in the engine)
	case $p in */hugepages) continue ;; esac
	nref=$((nref + 1))
	case $type in
	f)
		expect_eq "$p" "regular file $mode 4096" "$(stat -c '%F %a %s' "$S/$p" 2>&1)"
		if same_content "$p"; then
			want=${rest#size=4096 = }
			[ "$want" = "size=4096 =" ] && want=
			got=$(cd "$S" && cat "$p" 2>&1 | sed ':a;N;$!ba;s/\n/\\n/g')
			expect_eq "content of $p" "$want" "$got"
		fi
		;;
	d) expect_eq "$p" "directory $mode 0" "$(stat -c '%F %a %s' "$S/$p" 2>&1)" ;;
	l)
		expect_eq "$p" "symbolic link $mode 0" "$(stat -c '%F %a %s' "$S/$p" 2>&1)"
		expect_eq "target of $p" "${rest#-> }" "$(readlink "$S/$p")"
		;;
	esac
done <"$REF"
[ "$nref" -gt 80 ] && pass || fail "only $nref reference lines read"

# every regular file: root-owned, size 4096 (sysfs) or 0 (debugfs), links and dirs size 0
bad=$(find "$S" -path "$S/kernel/debug" -prune -o -type f ! -size 4096c -print | head -3)
expect_eq "sysfs files of size 4096" "" "$bad"
bad=$(find "$S/kernel/debug" -type f ! -size 0 -print | head -3)
expect_eq "debugfs files of size 0" "" "$bad"
bad=$(find "$S" \( -type d -o -type l \) ! -size 0 -print | head -3)
expect_eq "dirs and links of size 0" "" "$bad"
bad=$(find "$S" ! -user root -print | head -3)
expect_eq "owned by root" "" "$bad"

M=$S/devices/system/memory
N=$S/devices/system/node
# the default machine: node0 [0,3G)+[4G,8G), node1 [8G,12G), 128M blocks, hole 24..31
expect_file "$M/block_size_bytes" 8000000
expect_file "$M/auto_online_blocks" offline
expect_stat "$M/probe" "regular file" 200 4096
expect_eq "block count" 88 "$(ls -d $M/memory* | wc -l)"
expect_eq "no memory24..31" "" "$(ls -d $M/memory2[4-9] $M/memory3[01] 2>/dev/null)"
expect_eq "memory dir nlink" 91 "$(stat -c %h $M)"
expect_eq "memory5 nlink" 3 "$(stat -c %h $M/memory5)"
expect_file "$M/memory95/phys_index" 0000005f
expect_file "$M/memory0/valid_zones" none
expect_file "$M/memory23/valid_zones" DMA32
expect_file "$M/memory32/valid_zones" Normal
expect_file "$M/memory95/valid_zones" Normal
expect_eq "memory95 node link" "../../node/node1" "$(readlink $M/memory95/node1)"
expect_eq "memory95 has no node0" "" "$(ls $M/memory95 | grep '^node0')"
expect_eq "bus link" "../../../devices/system/memory/memory95" "$(readlink $S/bus/memory/devices/memory95)"
expect_eq "bus link resolves" online "$(cat $S/bus/memory/devices/memory95/state)"
expect_eq "node link resolves" 0000005f "$(cat $N/node1/memory95/phys_index)"
expect_eq "subsystem resolves" memory95 "$(ls $M/memory95/subsystem/devices | grep -x memory95)"
expect_eq "node0 links" 56 "$(ls -d $N/node0/memory* | wc -l)"
expect_eq "node1 links" 32 "$(ls -d $N/node1/memory* | wc -l)"
expect_eq "bus links" 88 "$(ls $S/bus/memory/devices | wc -l)"
expect_file "$N/possible" 0-1
expect_file "$N/online" 0-1
expect_file "$N/has_memory" 0-1
expect_file "$N/has_normal_memory" 0-1
expect_file "$N/has_cpu" 0-1
expect_raw "$N/has_generic_initiator" '\n'
expect_file "$N/node1/cpulist" 2-3
expect_file "$N/node1/cpumap" c
expect_file "$N/node0/distance" "10 21"
expect_file "$N/node1/distance" "21 10"
expect_eq "node0 cpu link" "../../cpu/cpu1" "$(readlink $N/node0/cpu1)"
expect_eq "node subsystem" "../../../../bus/node" "$(readlink $N/node1/subsystem)"
expect_eq "bus node link" "../../../devices/system/node/node1" "$(readlink $S/bus/node/devices/node1)"
# meminfo: "Node %d %-16s%8lu kB", hugetlb "Node %d %-16s %5u"; MemTotal = managed pages
expect_eq "node0 MemTotal" "Node 0 MemTotal:        7340032 kB" "$(head -1 $N/node0/meminfo)"
expect_eq "node1 MemTotal" "Node 1 MemTotal:        4194304 kB" "$(head -1 $N/node1/meminfo)"
expect_eq "node1 MemFree" "Node 1 MemFree:         4194304 kB" "$(sed -n 2p $N/node1/meminfo)"
bad=$(grep -v -E '^Node 1 [A-Za-z_()]+: *[0-9]+ kB$|^Node 1 HugePages_(Total|Free|Surp): *[0-9]+$' $N/node1/meminfo)
expect_eq "meminfo lines" "" "$bad"
bad=$(awk '/kB$/ && length($0) != 7 + 16 + 8 + 3 { print } !/kB$/ && length($0) != 7 + 16 + 6 { print }' $N/node1/meminfo)
expect_eq "meminfo columns" "" "$bad"
expect_eq "meminfo last" "Node 1 HugePages_Surp:      0" "$(tail -1 $N/node1/meminfo)"
expect_eq "numastat" "numa_hit 0 numa_miss 0 numa_foreign 0 interleave_hit 0 local_node 0 other_node 0" \
	"$(cat $N/node0/numastat | tr '\n' ' ' | sed 's/ $//')"
# debugfs
D=$S/kernel/debug
expect_stat "$D" directory 700 0
expect_stat "$D/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error" "regular empty file" 600 0
expect_stat "$D/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error" "regular empty file" 600 0
expect_eq "only two actions" "MEM_GOING_OFFLINE MEM_GOING_ONLINE" \
	"$(ls $D/notifier-error-inject/memory/actions | tr '\n' ' ' | sed 's/ $//')"
expect_file "$D/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error" 0
expect_stat "$D/memhotplugfs" directory 700 0
expect_stat "$D/memhotplugfs/add_memory" "regular empty file" 200 0
expect_stat "$D/memhotplugfs/remove_memory" "regular empty file" 200 0
expect_stat "$D/memhotplugfs/stats" "regular empty file" 400 0
expect_eq "stats blocks" "blocks 88" "$(head -1 $D/memhotplugfs/stats)"
expect_stat "$S/kernel/uevent_seqnum" "regular file" 444 4096

# readdir fills d_type (find -type uses it without stat only when it is known)
expect_eq "d_type dirs" "memory0 d memory1 d" "$(find $M -maxdepth 1 -name 'memory[01]' -printf '%f %y\n' | sort | tr '\n' ' ' | sed 's/ $//')"
types=$(python3 -c 'import os,sys; print(" ".join(sorted({("d" if e.is_dir(follow_symlinks=False) else "l" if e.is_symlink() else "f") for e in os.scandir(sys.argv[1])})))' $M/memory5)
expect_eq "scandir types" "d f l" "$types"
expect_eq "no DT_UNKNOWN" "" "$($FUSETEST dtypes $M | grep ' u$')"
expect_eq "d_type of memory5/" "node0 l
online f
power d
subsystem l" "$($FUSETEST dtypes $M/memory5 | grep -E '^(node0|online|power|subsystem) ' | sort)"
expect_eq "d_type of a node dir" "cpu0 l
memory0 l
power d" "$($FUSETEST dtypes $N/node0 | grep -E '^(cpu0|memory0|power) ' | sort)"
# stable inode numbers
i1=$(stat -c %i $M/memory7/state); ls -R $S >/dev/null; i2=$(stat -c %i $M/memory7/state)
expect_eq "stable inode" "$i1" "$i2"
[ "$(stat -c %i $M/memory7/state)" != "$(stat -c %i $M/memory8/state)" ] && pass || fail "inode numbers collide"

# memory layout: the mount is the memory directory itself, probe can be hidden
mhp_mount "$TMP/mem" --no-probe
expect_file "$TMP/mem/block_size_bytes" 8000000
expect_eq "no probe" "" "$(ls $TMP/mem | grep -x probe)"
expect_eq "relative node link" "../../node/node0" "$(readlink $TMP/mem/memory3/node0)"
expect_eq "nothing else starts with memory" 88 "$(ls -d $TMP/mem/memory* | wc -l)"

mhp_finish
