#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line: --help/--version, invalid options fail before mounting and name the option,
# machine options shape the tree.
. "$(dirname "$0")/lib.sh"

"$DAEMON" --help >$TMP/help 2>&1; expect_eq "--help rc" 0 $?
grep -q -- '--layout=sysfs' $TMP/help && pass || fail "--help does not list --layout"
"$DAEMON" --version >$TMP/ver 2>&1; expect_eq "--version rc" 0 $?
grep -q '^memhotplugfs version ' $TMP/ver && pass || fail "--version: $(cat $TMP/ver)"

D=$TMP/never
mkdir -p $D
bad() { # OPTION-TEXT-IN-MESSAGE ARGS...
	local want=$1 out rc
	shift
	out=$("$DAEMON" -f "$@" $D 2>&1)
	rc=$?
	[ $rc -ne 0 ] && pass || fail "$* exited 0"
	[[ $out == *"$want"* ]] && pass || fail "$*: message '$out' does not name $want"
	case $(stat -f -c %T $D) in fuse*) fail "$* mounted"; fusermount3 -u $D ;; *) pass ;; esac
}
bad --layout --layout=tree
bad --block-size --block-size=100M
bad --block-size -o block_size=abc
bad --nodes --nodes=0
bad --boot --boot=0-1G
bad --boot --boot=0-1G@3
bad --cpus --cpus=1,1,1
bad --auto-online --auto-online=Online
bad --online-policy --online-policy=auto_movable
bad --memmap-on-memory --memmap-on-memory=maybe
bad --kernelcore --kernelcore=101%
bad bogus -o bogus
bad "--reserved" --reserved=4G-3G

# a smaller machine: one node, 256M blocks, 2G of boot memory, auto-online movable
mhp_mount $TMP/m1 --nodes=1 --block-size=256M --boot=0-2G@0 --hotplug=2G-4G@0 --reserved= \
	--cpus=3 --auto-online=online_movable --online-policy=auto-movable --auto-movable-ratio=0
M=$TMP/m1
expect_file $M/block_size_bytes 10000000
expect_eq "blocks" "memory0 memory1 memory2 memory3 memory4 memory5 memory6 memory7" \
	"$(cd $M && ls -d memory* | sort -V | tr '\n' ' ' | sed 's/ $//')"
expect_file $M/auto_online_blocks online_movable
expect_write $M/probe 0x80000000
expect_file $M/memory8/state online
expect_file $M/memory8/valid_zones Movable
mhp_umount $M

mhp_mount $TMP/m2 --layout=sysfs --no-inject --kernelcore=50% --memmap-on-memory=Y --movable-node
S=$TMP/m2
expect_eq "no injector" "" "$(ls $S/kernel/debug | grep notifier)"
expect_file $S/module/memory_hotplug/parameters/memmap_on_memory Y
expect_file $S/devices/system/memory/memory95/valid_zones Movable
expect_write $S/devices/system/memory/probe 0x300000000
expect_file $S/devices/system/memory/memory96/valid_zones "Movable Normal"
mhp_umount $S

mhp_finish
