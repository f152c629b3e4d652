#!/bin/bash
# SPDX-License-Identifier: MIT
# SPEC §13 through the shell: echo and cat as an administrator would type them.
. "$(dirname "$0")/lib.sh"

R=$TMP/root
mhp_mount "$R/sys" --layout=sysfs
S=$R/sys
M=$S/devices/system/memory
N=$S/devices/system/node
INJ=$S/kernel/debug/notifier-error-inject/memory/actions
SEQ=$S/kernel/uevent_seqnum

# §13.1: state rejects no-ops with EINVAL, online accepts them silently (no uevent)
expect_write_err "$M/memory50/state" online "Invalid argument"
expect_write_err "$M/memory50/state" online_movable "Invalid argument"
seq0=$(cat $SEQ)
expect_write "$M/memory50/online" 1
expect_eq "no uevent for a no-op" "$seq0" "$(cat $SEQ)"
expect_write "$M/memory50/state" offline
expect_eq "one uevent for an offline" "$((seq0 + 1))" "$(cat $SEQ)"
expect_file "$M/memory50/state" offline
expect_file "$M/memory50/online" 0
expect_write_err "$M/memory50/state" offline "Invalid argument"
expect_write "$M/memory50/online" 0
expect_eq "no uevent for offline no-op" "$((seq0 + 1))" "$(cat $SEQ)"

# §13.2: exact words, one trailing newline, kstrtobool's first characters
expect_write_err "$M/memory50/state" Online "Invalid argument"
expect_write_err "$M/memory50/state" " online" "Invalid argument"
expect_write_err "$M/memory50/state" "online " "Invalid argument"
# (bash's echo would split "online\n\n" into two writes: use one write())
expect_eq "two newlines" EINVAL "$($FUSETEST write $M/memory50/state $'online\n\n')"
expect_write_err "$M/memory50/state" $'online\r' "Invalid argument"
expect_write_err "$M/memory50/online" 2 "Invalid argument"
expect_write_err "$M/memory50/online" "" "Invalid argument"
expect_write_err "$M/auto_online_blocks" Online "Invalid argument"
expect_file "$M/memory50/state" offline
expect_write "$M/memory50/online" yes
expect_file "$M/memory50/state" online
expect_write "$M/memory50/online" off
expect_write "$M/memory50/online" on
expect_write "$M/memory50/online" 0abc
expect_write "$M/memory50/online" 1x
expect_file "$M/memory50/online" 1

# §13.3: valid_zones of offline blocks: default zone first
expect_write "$M/memory50/state" offline
expect_file "$M/memory50/valid_zones" "Normal Movable"
expect_file "$M/memory10/valid_zones" DMA32
expect_write "$M/memory10/state" offline
expect_file "$M/memory10/valid_zones" "DMA32 Movable"
expect_write "$M/memory10/state" online
expect_write "$M/memory50/state" online_movable
expect_file "$M/memory50/valid_zones" Movable
expect_write "$M/memory50/state" offline
# the Movable span shrank back to nothing: only Normal intersects
expect_file "$M/memory50/valid_zones" "Normal Movable"
expect_write "$M/memory51/state" offline
expect_write "$M/memory52/state" offline
expect_write "$M/memory51/state" online_movable
expect_write "$M/memory52/state" online_movable
expect_write "$M/memory51/state" offline
# 51 was the start of the Movable span [51,53), which shrinks to [52,53)
expect_file "$M/memory51/valid_zones" "Normal Movable"
expect_write "$M/memory51/state" online
expect_file "$M/memory51/valid_zones" Normal
expect_write "$M/memory50/state" online_kernel
expect_file "$M/memory50/valid_zones" Normal

# §13.13: blocks spanning two zones cannot be offlined
expect_write_err "$M/memory0/state" offline "Invalid argument"
expect_file "$M/memory0/state" online

# §13.5: read-only attributes refuse writes even for root, write-only ones refuse reads
expect_write_err "$M/memory5/phys_index" 1 "Permission denied"
expect_write_err "$M/block_size_bytes" 1 "Permission denied"
expect_write_err "$M/memory5/valid_zones" Normal "Permission denied"
out=$(cat $M/probe 2>&1)
[[ $out == *"Permission denied"* ]] && pass || fail "cat probe: $out"

# §13.6: error injection: exactly the errno, state unchanged, clamping, "%lld\n"
expect_write "$M/memory60/state" offline
expect_write "$INJ/MEM_GOING_ONLINE/error" -12
expect_file "$INJ/MEM_GOING_ONLINE/error" -12
seq0=$(cat $SEQ)
expect_write_err "$M/memory60/state" online "Cannot allocate memory"
expect_write_err "$M/memory60/online" 1 "Cannot allocate memory"
expect_file "$M/memory60/state" offline
expect_eq "no uevent for a vetoed online" "$seq0" "$(cat $SEQ)"
expect_write "$INJ/MEM_GOING_ONLINE/error" -16
expect_write_err "$M/memory60/state" online_movable "Device or resource busy"
expect_write "$INJ/MEM_GOING_ONLINE/error" 0
expect_write "$M/memory60/state" online
expect_write "$INJ/MEM_GOING_OFFLINE/error" -1
expect_write_err "$M/memory61/state" offline "Operation not permitted"
expect_file "$M/memory61/state" online
expect_write "$INJ/MEM_GOING_OFFLINE/error" 5
expect_file "$INJ/MEM_GOING_OFFLINE/error" 0
expect_write "$INJ/MEM_GOING_OFFLINE/error" -5000
expect_file "$INJ/MEM_GOING_OFFLINE/error" -4095
expect_write_err "$INJ/MEM_GOING_OFFLINE/error" abc "Invalid argument"
expect_write "$INJ/MEM_GOING_OFFLINE/error" 0x0
expect_write "$M/memory61/state" offline

# §13.11: node links stay for offline blocks
expect_eq "node link of an offline block" "../../node/node0" "$(readlink $M/memory61/node0)"
expect_eq "node dir link of an offline block" "../../memory/memory61" "$(readlink $N/node0/memory61)"

# §13.12: auto_online_blocks affects later blocks; probe parses base 0
expect_write "$M/auto_online_blocks" online_movable
expect_file "$M/auto_online_blocks" online_movable
expect_file "$M/memory61/state" offline
expect_write "$M/probe" 0x300000000
expect_file "$M/memory96/state" online
expect_file "$M/memory96/valid_zones" Movable
expect_write "$M/auto_online_blocks" offline
expect_write "$M/probe" 13019119616
expect_file "$M/memory97/state" offline
expect_eq "probed block on node0" "../../node/node0" "$(readlink $M/memory97/node0)"
expect_write "$M/probe" 0330000000000
expect_file "$M/memory216/state" offline
expect_eq "SRAT node of 27G" "../../node/node1" "$(readlink $M/memory216/node1)"
expect_write_err "$M/probe" 0x300000000 "File exists"
expect_write_err "$M/probe" 0xc0000000 "File exists"
expect_write_err "$M/probe" 0x300001000 "Invalid argument"
expect_write_err "$M/probe" 300000000x "Invalid argument"
expect_write_err "$M/probe" 0x "Invalid argument"
expect_write_err "$M/probe" 0x400000000000 "Argument list too long"
expect_write_err "$M/probe" 99999999999999999999999 "Numerical result out of range"

# parameters
P=$S/module/memory_hotplug/parameters
expect_write "$P/online_policy" auto-movable
expect_file "$P/online_policy" auto-movable
expect_write_err "$P/online_policy" auto_movable "Invalid argument"
expect_write "$P/online_policy" contig-zones
expect_write "$P/auto_movable_ratio" 0x10
expect_file "$P/auto_movable_ratio" 16
expect_write_err "$P/auto_movable_ratio" -1 "Invalid argument"
expect_write_err "$P/auto_movable_ratio" 4294967296 "Numerical result out of range"
expect_write "$P/auto_movable_numa_aware" n
expect_file "$P/auto_movable_numa_aware" N
expect_write_err "$P/memmap_on_memory" Y "Permission denied"

# power/ and uevent files
expect_write "$M/memory5/power/control" on
expect_file "$M/memory5/power/control" on
expect_file "$M/memory6/power/control" auto
expect_write_err "$M/memory5/power/control" off "Invalid argument"
# a synthetic remove is only an event: the device and its power state stay
expect_write "$M/memory5/uevent" remove
sleep 0.2 # the event worker has seen it
expect_file "$M/memory5/power/control" on
expect_write "$M/memory5/power/control" auto
expect_file "$M/memory5/power/control" auto
expect_write_err "$M/memory5/power/autosuspend_delay_ms" 100 "Input/output error"
seq0=$(cat $SEQ)
expect_write "$M/memory5/uevent" change
expect_eq "synthetic uevent" "$((seq0 + 1))" "$(cat $SEQ)"
expect_write "$M/memory5/uevent" "add 12345678-1234-1234-1234-123456789abc A=b"
expect_write_err "$M/memory5/uevent" bogus "Invalid argument"
expect_write_err "$M/memory5/uevent" "add not-a-uuid" "Invalid argument"
expect_write "$M/uevent" add
expect_eq "root device events are filtered" "$((seq0 + 2))" "$(cat $SEQ)"
expect_raw "$M/memory5/uevent" ''
expect_write "$S/bus/memory/drivers_probe" memory5
expect_write_err "$S/bus/memory/drivers_probe" memory24 "No such device"
expect_write "$S/bus/memory/drivers_autoprobe" 0
expect_file "$S/bus/memory/drivers_autoprobe" 0
expect_write "$N/node1/compact" 1
expect_write "$N/node1/reclaim" 0
expect_write_err "$N/node1/reclaim" 1G "Resource temporarily unavailable"
expect_write_err "$N/node1/reclaim" junk "Invalid argument"

# node masks follow the memory: node1 loses all its memory
for i in $(seq 64 95); do echo offline >$M/memory$i/state || fail "offline memory$i"; done
expect_file "$N/has_memory" 0
expect_file "$N/online" 0-1
expect_eq "node1 MemTotal after offlining" "Node 1 MemTotal:              0 kB" "$(head -1 $N/node1/meminfo)"
for i in $(seq 64 95); do echo online_movable >$M/memory$i/state || fail "online memory$i"; done
expect_file "$N/has_memory" 0-1

# removal through the control files: links and directories go, ls never shows them
C=$S/kernel/debug/memhotplugfs
expect_write "$C/add_memory" "0x580000000 512M 1"
expect_eq "dimm blocks" "memory176 memory177 memory178 memory179" "$(cd $M && ls -d memory17[6-9] | tr '\n' ' ' | sed 's/ $//')"
expect_eq "dimm links on node1" 4 "$(ls $N/node1 | grep -c -E '^memory17[6-9]$')"
expect_write "$M/memory177/state" online
expect_write "$C/remove_memory" "0x580000000 512M"
expect_eq "dimm gone" "" "$(ls $M | grep -E '^memory17[6-9]$')"
expect_eq "dimm links gone" "" "$(ls $N/node1 $S/bus/memory/devices | grep -E '^memory17[6-9]$')"
expect_write_err "$C/remove_memory" "0x580000000 512M" "Invalid argument"
expect_write_err "$C/add_memory" "0x580000000" "Invalid argument"
expect_write_err "$C/add_memory" "0x580001000 128M" "Invalid argument"
grep -q '^blocks 91$' $C/stats && pass || fail "stats: $(head -1 $C/stats)"

mhp_finish
