#!/bin/bash
# SPDX-License-Identifier: MIT
# Machine files: each ready machine of fusefs/machines/ mounts and shows the blocks, zones, nodes
# and parameters it describes; options after --config override it; a broken file names the file
# and the line, and nothing is mounted.
. "$(dirname "$0")/lib.sh"

MACHINES=$(cd "$(dirname "$0")/../../fusefs/machines" && pwd)

# blocks DIR: the memoryN names, in numeric order, on one line
blocks() {
	(cd "$1" && ls -d memory[0-9]* | sed 's/memory//' | sort -n | tr '\n' ' ' | sed 's/ $//')
}
# zone_runs DIR: "first-last:valid_zones" for each run of blocks with the same valid_zones
zone_runs() {
	local d=$1 id z prev= start= last=
	for id in $(blocks "$d"); do
		z=$(cat "$d/memory$id/valid_zones")
		if [ "$z" != "$prev" ] || [ $((last + 1)) -ne "$id" ]; then
			[ -n "$start" ] && printf '%s-%s:%s ' "$start" "$last" "$prev"
			start=$id
			prev=$z
		fi
		last=$id
	done
	printf '%s-%s:%s\n' "$start" "$last" "$prev"
}

# ---- small-vm: one node, 2 cpus, 32 blocks, no probe, four DIMM slots -------------------------
R=$TMP/vm/sys
mhp_mount $R --layout=sysfs --config=$MACHINES/small-vm.conf
M=$R/devices/system/memory
expect_file $M/block_size_bytes 8000000
expect_file $M/auto_online_blocks offline
expect_eq "small-vm blocks" "$(seq -s ' ' 0 15) $(seq -s ' ' 32 47)" "$(blocks $M)"
expect_eq "small-vm zones" "0-0:none 1-15:DMA32 32-47:Normal" "$(zone_runs $M)"
[ -e $M/probe ] && fail "small-vm has a probe file" || pass
expect_file $R/devices/system/node/possible 0
expect_file $R/devices/system/node/node0/cpulist 0-1
expect_file $R/devices/system/node/node0/distance 10
expect_file $R/module/memory_hotplug/parameters/online_policy contig-zones
[ -d $R/kernel/debug/notifier-error-inject/memory ] && pass || fail "small-vm: no injector"
# DIMM slot 0 ([8G, 9G)) hot-adds offline beyond every zone
expect_write $R/kernel/debug/memhotplugfs/add_memory "0x200000000 0x40000000"
expect_file $M/memory64/state offline
expect_file $M/memory71/valid_zones "Normal Movable"
expect_eq "lsmem small-vm" "RANGE                                 SIZE   STATE REMOVABLE BLOCK
0x0000000000000000-0x000000007fffffff   2G  online       yes  0-15
0x0000000100000000-0x000000017fffffff   2G  online       yes 32-47
0x0000000200000000-0x000000023fffffff   1G offline           64-71

Memory block size:       128M
Total online memory:       4G
Total offline memory:      1G" "$(lsmem --sysroot $(dirname $R))"
# the machine file's DIMM slots, plugged by number like an ACPI memory device
C=$R/kernel/debug/memhotplugfs
expect_raw $C/dimm_slots "0 0x200000000 0x40000000 0 empty\n1 0x240000000 0x40000000 0 empty\n2 0x280000000 0x40000000 0 empty\n3 0x2c0000000 0x40000000 0 empty\n"
expect_write $C/dimm_slots "plug 1"
expect_file $M/memory72/state offline
expect_file $M/memory79/state offline
expect_eq "memory79 node" node0 "$(cd $M/memory79 && ls -d node*)"
expect_write_err $C/dimm_slots "plug 1" "File exists"
expect_write_err $C/dimm_slots "plug 4" "Invalid argument"
expect_write_err $C/dimm_slots "eject 1" "Invalid argument"
expect_eq "slot 1" "1 0x240000000 0x40000000 0 plugged" "$(sed -n 2p $C/dimm_slots)"
expect_write $M/memory75/state online_movable
expect_write $C/dimm_slots "unplug 1"
[ -e $M/memory75 ] && fail "memory75 still exists after unplug" || pass
expect_write_err $C/dimm_slots "unplug 1" "Invalid argument"
expect_eq "slot 1 again" "1 0x240000000 0x40000000 0 empty" "$(sed -n 2p $C/dimm_slots)"
mhp_umount $R

# ---- two-socket-movable: kernelcore=32G, movable_node, auto-online ----------------------------
R=$TMP/srv/sys
mhp_mount $R --layout=sysfs --config=$MACHINES/two-socket-movable.conf
M=$R/devices/system/memory
expect_file $M/auto_online_blocks online
expect_file $R/devices/system/node/possible 0-1
expect_file $R/devices/system/node/has_cpu 0-1
expect_file $R/devices/system/node/node1/cpulist 8-15
expect_file $R/devices/system/node/node1/distance "21 10"
expect_eq "two-socket blocks" 512 "$(ls -d $M/memory[0-9]* | wc -l)"
# find_zone_movable_pfns_for_nodes(): 16 GiB of kernel memory per node, the rest Movable
expect_eq "two-socket zones" \
	"0-0:none 1-23:DMA32 32-135:Normal 136-263:Movable 264-391:Normal 392-519:Movable" \
	"$(zone_runs $M)"
expect_eq "memory300 node" node1 "$(cd $M/memory300 && ls -d node*)"
# probe into node 1's hot-pluggable range: online at once, in Movable (movable_node)
expect_write $M/probe 0x3000000000
expect_file $M/memory1536/state online
expect_file $M/memory1536/valid_zones Movable
expect_eq "memory1536 node" node1 "$(cd $M/memory1536 && ls -d node*)"
# a DIMM slot of node 1 ([208G, 224G)) plugs online, into Movable
expect_write $R/kernel/debug/memhotplugfs/dimm_slots "plug 3"
expect_file $M/memory1664/state online
expect_file $M/memory1791/valid_zones Movable
expect_eq "memory1791 node" node1 "$(cd $M/memory1791 && ls -d node*)"
mhp_umount $R

# ---- large-blocks: 2 GiB blocks ----------------------------------------------------------------
R=$TMP/big/sys
mhp_mount $R --layout=sysfs --config=$MACHINES/large-blocks.conf --auto-online=online_kernel
M=$R/devices/system/memory
expect_file $M/block_size_bytes 80000000
expect_file $M/auto_online_blocks online_kernel # the option overrides the file
expect_file $R/module/memory_hotplug/parameters/online_policy auto-movable
expect_eq "large-blocks zones" "0-0:none 1-1:DMA32 2-127:Normal" "$(zone_runs $M)"
expect_file $M/memory1/phys_index 00000001
expect_write_err $M/memory1/state offline "Invalid argument" # a block with a hole
expect_write $M/memory2/state offline
expect_file $M/memory2/valid_zones "Movable Normal" # auto-movable: the ratio allows it
expect_write_err $M/probe 0x8040000000 "Invalid argument" # not 2 GiB aligned
expect_write $M/probe 0x8000000000
expect_file $M/memory256/state online
expect_file $M/memory256/valid_zones Normal
[ -e $R/kernel/debug/memhotplugfs/dimm_slots ] && fail "dimm_slots without slots" || pass
expect_eq "lsmem large-blocks" "Memory block size:         2G
Total online memory:     256G
Total offline memory:      2G" "$(lsmem --sysroot $(dirname $R) --summary=only)"
mhp_umount $R

# ---- broken files: the file, the line, the problem; nothing mounted ---------------------------
D=$TMP/never
mkdir -p $D
bad_config() { # TEXT EXPECTED-MESSAGE-AFTER-FILE
	local f=$TMP/bad.conf out rc
	printf "$1" >$f
	out=$("$DAEMON" -f --config=$f $D 2>&1)
	rc=$?
	[ $rc -ne 0 ] && pass || fail "config '$1' exited 0"
	[[ $out == *"$f$2"* ]] && pass || fail "config '$1': message '$out' lacks '$f$2'"
	case $(stat -f -c %T $D) in fuse*) fail "config '$1' mounted"; fusermount3 -u $D ;; *) pass ;; esac
}
bad_config '[node 1]\ncpus = 0\nmemory = 8G-9G\nx = 1\n' ":4: unknown key 'x' in [node 1]"
bad_config '[machine]\nblock_size = 3M\n' ":2: bad value '3M' for 'block_size' in [machine]"
bad_config '[node 0]\ncpus = 0\nmemory = 0-1G\nmemory = 512M-2G\n' \
	":4: memory range 0x20000000-0x80000000 overlaps 0-0x40000000 (line 3)"
bad_config '[node 0]\ncpus = 0\nmemory = 4G-5G\ndimm = 8G+100M\n' \
	":4: dimm range 0x200000000-0x206400000 is not aligned to 0x8000000"
out=$("$DAEMON" -f --config=$TMP/missing.conf $D 2>&1) && fail "missing config exited 0" || pass
[[ $out == *"$TMP/missing.conf: No such file or directory"* ]] && pass || fail "missing: $out"
out=$("$DAEMON" -f --config=$MACHINES/small-vm.conf --seed=/ $D 2>&1) && fail "--seed with --config" || pass
[[ $out == *"--seed"*"cannot be combined with --config"* ]] && pass || fail "seed+config: $out"
case $(stat -f -c %T $D) in fuse*) fail "mounted"; fusermount3 -u $D ;; *) pass ;; esac

mhp_finish
