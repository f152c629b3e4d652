#!/bin/bash
# SPDX-License-Identifier: MIT
# SPEC §1.1 and §13.5 through plain syscalls: EACCES at open even for root, zero-length writes,
# one write() = one store, 4096-byte truncation, fresh reads from offset 0, ENODEV on removed
# blocks, other users with allow_other.
. "$(dirname "$0")/lib.sh"

R=$TMP/root
mhp_mount "$R/sys" --layout=sysfs -o allow_other
M=$R/sys/devices/system/memory
CTL=$R/sys/kernel/debug/memhotplugfs
T=$FUSETEST

# open rules, as root
expect_eq "phys_index O_WRONLY" EACCES "$($T open $M/memory5/phys_index w)"
expect_eq "phys_index O_RDWR" EACCES "$($T open $M/memory5/phys_index rw)"
expect_eq "block_size_bytes O_WRONLY" EACCES "$($T open $M/block_size_bytes w)"
expect_eq "valid_zones O_WRONLY" EACCES "$($T open $M/memory5/valid_zones w)"
expect_eq "removable O_WRONLY" EACCES "$($T open $M/memory5/removable w)"
expect_eq "probe O_RDONLY" EACCES "$($T open $M/probe r)"
expect_eq "probe O_RDWR" EACCES "$($T open $M/probe rw)"
expect_eq "probe O_WRONLY" ok "$($T open $M/probe w)"
expect_eq "state O_RDWR" ok "$($T open $M/memory5/state rw)"
expect_eq "memmap_on_memory O_WRONLY" EACCES \
	"$($T open $R/sys/module/memory_hotplug/parameters/memmap_on_memory w)"
expect_eq "node compact O_RDONLY" EACCES "$($T open $R/sys/devices/system/node/node0/compact r)"
expect_eq "bus uevent O_RDONLY" EACCES "$($T open $R/sys/bus/memory/uevent r)"
expect_eq "stats O_WRONLY" EACCES "$($T open $CTL/stats w)"
expect_eq "add_memory O_RDONLY" EACCES "$($T open $CTL/add_memory r)"
expect_eq "missing file" ENOENT "$($T open $M/memory24/state r)"

# zero-length write: 0, no store
expect_eq "zero-length write" 0 "$($T write $M/memory40/state '')"
expect_file "$M/memory40/state" online

# one write = one store, no newline needed (chmem), second write on the same fd (stress-ng)
expect_eq "offline, no newline" 7 "$($T write $M/memory40/state offline)"
expect_file "$M/memory40/state" offline
expect_eq "two writes on one fd" "6
7" "$($T write $M/memory40/state online offline)"
expect_file "$M/memory40/state" offline
# partial words are separate failing stores, never glued together
expect_eq "onl + ine" "EINVAL
EINVAL" "$($T write $M/memory40/state onl ine)"
expect_file "$M/memory40/state" offline
expect_eq "online twice" "7
EINVAL" "$($T write $M/memory40/state $'online\n' $'online\n')"

# more than 4096 bytes: the store sees 4096 and success returns that count
expect_eq "5000 bytes to online" 4096 "$($T write $M/memory41/online @5000:1)"
expect_file "$M/memory41/state" online
expect_eq "4096 bytes to online" 4096 "$($T write $M/memory41/online @4096:0)"
expect_file "$M/memory41/state" offline
expect_eq "4097 bytes to online" 4096 "$($T write $M/memory41/online @4097:1)"
expect_file "$M/memory41/state" online
# kstrtobool looks at two characters at most
expect_eq "online 2" EINVAL "$($T write $M/memory41/online 2)"
# debugfs files are not capped at a page: the injector takes 23 bytes, returns the whole count
expect_eq "5000 bytes to error" 5000 \
	"$($T write $R/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error %5000:-12)"
expect_file $R/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error -12
# junk inside the 23 bytes the injector parses is EINVAL
expect_eq "junk to error" EINVAL \
	"$($T write $R/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error @30:-12)"
expect_eq "reset error" 1 \
	"$($T write $R/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error 0)"

# a read from offset 0 on the same fd sees the new value; other offsets read the buffer
expect_eq "fresh reread" "online
offline" "$($T reread $M/memory42/state $M/memory42/state offline)"
expect_eq "fresh online reread" "0
1" "$($T reread $M/memory42/online $M/memory42/state online)"
expect_eq "pread at 2" "[line]" "$($T pread $M/memory42/state 2 4)"
expect_eq "pread past end" "[]" "$($T pread $M/memory42/state 4096 10)"
# autosuspend_delay_ms: read gives EIO, as the kernel does for devices without autosuspend
expect_eq "autosuspend read" "read EIO" "$($T pread $M/memory42/power/autosuspend_delay_ms 0 10 | head -1)"

# removed blocks: open descriptors get ENODEV, the directory is gone
expect_eq "add dimm" 16 "$($T write $CTL/add_memory '0x340000000 256M')"
expect_file "$M/memory104/state" offline
expect_eq "removed fd" "read ENODEV
write ENODEV" "$($T removed $M/memory104/state $CTL/remove_memory '0x340000000 0x10000000')"
[ -e "$M/memory104" ] && fail "memory104 still exists" || pass
[ -e "$M/memory105" ] && fail "memory105 still exists" || pass
[ -e "$R/sys/bus/memory/devices/memory104" ] && fail "bus link still exists" || pass
[ -e "$R/sys/devices/system/node/node0/memory104" ] && fail "node link still exists" || pass
# the id comes back: a new inode generation, the new block is offline and works
expect_eq "re-add dimm" 18 "$($T write $CTL/add_memory '0x340000000 128M 1')"
expect_file "$M/memory104/state" offline
expect_eq "re-added node link" "../../node/node1" "$(readlink $M/memory104/node1)"
expect_eq "online re-added" 6 "$($T write $M/memory104/state online)"
expect_file "$M/memory104/state" online
# ... and it is a new device: the old one's descriptors stay dead (ENODEV, not EIO), its
# directory holds nothing (ENOENT), whatever the kernel cached of either
expect_eq "reborn" "new ok
old read ENODEV
old dir ENOENT" "$($T reborn $M/memory104 state $CTL '0x340000000 128M')"
# a directory that is gone, still open, lists "." and ".." only (kernfs)
# (memory104 is back from the test above; listing it first leaves the listing in the kernel's
# cache, which the removal must drop; after a second the kernel looks the name up again and then
# trusts its cached listing)
ls -a $M/memory104 >/dev/null
sleep 1.1
# (". .." as on kernfs, or nothing once the inotify replay has removed the directory through
# the mount: the kernel then takes it for a deleted one)
out=$($T lsgone $M/memory104 $CTL/remove_memory '0x340000000 128M')
case $out in
". .. end" | end) pass ;;
*) fail "removed directory lists '$out'" ;;
esac
# the kernel keeps listings (no OPENDIR): a listing after a store that added or removed blocks
# shows the change in every directory that has them, and their modification times moved
ND=$R/sys/devices/system/node/node0
BMD=$R/sys/bus/memory/devices
listings() {
	printf '%s|' "$(ls $M | grep -c '^memory104$')" "$(ls $ND | grep -c '^memory104$')" \
		"$(ls $BMD | grep -c '^memory104$')"
}
expect_eq "listings without memory104" "0|0|0|" "$(listings)"
mtimes=$(stat -c %Y.%y $M $ND $BMD)
expect_eq "probe memory104" 11 "$($T write $M/probe 0x340000000)"
expect_eq "listings with memory104" "1|1|1|" "$(listings)"
# each of the three directories has a new modification time
expect_eq "directory times moved" "" "$(comm -12 <(sort <<<"$mtimes") <(stat -c %Y.%y $M $ND $BMD | sort))"
expect_eq "remove memory104" 16 "$($T write $CTL/remove_memory '0x340000000 128M')"
expect_eq "listings without memory104 again" "0|0|0|" "$(listings)"
# listings resume at positions of their own: a listing a dozen entries at a time gives every
# entry once; a block added behind the position shows, one removed ahead of it does not
expect_eq "listing in small steps" "$(ls -fa $M | sort)" "$($T listsmall $M | sort)"
expect_eq "probe for listsmall" 11 "$($T write $M/probe 0x340000000)"
out=$($T listsmall $M $M/probe=0x348000000 $CTL/remove_memory='0x340000000 128M')
expect_eq "listing while blocks come and go: no name twice" "" "$(grep -v -- -- <<<"$out" | sort | uniq -d)"
expect_eq "listing while blocks come and go" "memory105" "$(grep -E '^memory10[45]$' <<<"$out")"
expect_eq "listing while blocks come and go: the rest" "$(ls -fa $M | grep -vE '^memory10[45]$' | sort)" \
	"$(grep -v -- -- <<<"$out" | grep -vE '^memory10[45]$' | sort)"
expect_eq "remove memory105" 16 "$($T write $CTL/remove_memory '0x348000000 128M')"

# a node that comes back is a new device too: node 2 has no CPUs, only hot-added memory, and
# goes away with it (try_offline_node)
NM=$TMP/nodes
mhp_mount $NM --layout=sysfs --nodes=3 --cpus=2,2,0 --hotplug=12G-13G@2
NCTL=$NM/kernel/debug/memhotplugfs
[ -e $NM/devices/system/node/node2 ] && fail "node2 exists before its memory" || pass
nlist() { ls $NM/devices/system/node | grep '^node' | tr '\n' ' '; ls $NM/bus/node/devices | tr '\n' ' '; }
expect_eq "nodes listed before node2" "node0 node1 node0 node1 " "$(nlist)"
expect_eq "add node2's memory" 18 "$($T write $NCTL/add_memory '0x300000000 128M 2')"
expect_eq "nodes listed with node2" "node0 node1 node2 node0 node1 node2 " "$(nlist)"
echo on >$NM/devices/system/node/node2/power/control
expect_file $NM/devices/system/node/node2/power/control on
expect_eq "reborn node" "new ok
old read ENODEV
old dir ENOENT" "$($T reborn $NM/devices/system/node/node2 meminfo $NCTL '0x300000000 128M' \
	'0x300000000 128M 2')"
expect_eq "nodes listed after node2 came back" "node0 node1 node2 node0 node1 node2 " "$(nlist)"
ls $NM/devices/system/node/node2 >/dev/null
expect_eq "remove node2's memory" 16 "$($T write $NCTL/remove_memory '0x300000000 128M')"
expect_eq "nodes listed without node2" "node0 node1 node0 node1 " "$(nlist)"
expect_eq "add node2's memory again" 18 "$($T write $NCTL/add_memory '0x300000000 128M 2')"
# a new device: power/control is back to auto
expect_file $NM/devices/system/node/node2/power/control auto

# other users: read yes, write no (allow_other + default_permissions)
expect_eq "nobody reads state" ok "$($T asuser 65534 $M/memory5/state r)"
expect_eq "nobody writes state" EACCES "$($T asuser 65534 $M/memory5/state w)"
expect_eq "nobody writes probe" EACCES "$($T asuser 65534 $M/probe w)"
expect_eq "nobody reads debugfs" EACCES "$($T asuser 65534 $CTL/stats r)"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups cat $M/memory5/phys_index 2>&1)
expect_eq "nobody cat phys_index" 00000005 "$out"

mhp_finish
