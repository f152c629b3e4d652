#!/bin/bash
# SPDX-License-Identifier: MIT
# lsmem (util-linux) on /sys/devices/system/memory, the path it reads without --sysroot: every
# output mode compared with what the emulated machine must show.
. "$(dirname "$0")/../fuse/lib.sh"
DAEMON=$(readlink -f "$DAEMON") # meson passes it relative to the build directory
. "$(dirname "$0")/ns.sh"
command -v lsmem >/dev/null || skip "lsmem (util-linux) not installed"

cat >"$TMP/inner.sh" <<'INNER'
DAEMON=$1
NS_INNER=1 . "$2"
# A small machine with 1 GiB blocks, so that every mode prints a few lines:
#   node 0: [0, 2G) = memory0 (DMA+DMA32: "none") and memory1 (DMA32); PCI hole [2G, 4G);
#           [4G, 6G) = memory4, memory5 (Normal)
#   node 1: [6G, 8G) = memory6, memory7 (Normal); hot-pluggable [8G, 10G)
ns_mount_sysfs --block-size=1G --boot=0-2G@0,4G-6G@0,6G-8G@1 --reserved=2G-4G \
	--hotplug=8G-10G@1
# memory5: the end of node 0's Normal span, so it can come back Movable;
# memory7: offline; memory8: hot-added at 8G (node 1 by the hot-plug range), offline
echo offline >$M/memory5/state
echo online_movable >$M/memory5/state
echo offline >$M/memory7/state
echo 0x200000000 >$M/probe
check "state of 5 7 8" "online Movable offline Normal Movable offline Normal Movable" \
	"$(cat $M/memory5/state $M/memory5/valid_zones $M/memory7/state $M/memory7/valid_zones \
		$M/memory8/state $M/memory8/valid_zones | tr '\n' ' ' | sed 's/ $//')"
check "memory8 on node1" "../../node/node1" "$(readlink $M/memory8/node1)"

# Five of seven blocks online (5G), two offline (2G).  Without NODE/ZONES columns lsmem merges
# neighbours of the same state across nodes and zones (0-1, 4-6, 7-8); the hole 2-3 splits.
# lsmem shows REMOVABLE only for online blocks.
SUMMARY="
Memory block size:         1G
Total online memory:       5G
Total offline memory:      2G"
check "lsmem" "RANGE                                 SIZE   STATE REMOVABLE BLOCK
0x0000000000000000-0x000000007fffffff   2G  online       yes   0-1
0x0000000100000000-0x00000001bfffffff   3G  online       yes   4-6
0x00000001c0000000-0x000000023fffffff   2G offline             7-8
$SUMMARY" "$(lsmem)"
check "lsmem -a" "RANGE                                 SIZE   STATE REMOVABLE BLOCK
0x0000000000000000-0x000000003fffffff   1G  online       yes     0
0x0000000040000000-0x000000007fffffff   1G  online       yes     1
0x0000000100000000-0x000000013fffffff   1G  online       yes     4
0x0000000140000000-0x000000017fffffff   1G  online       yes     5
0x0000000180000000-0x00000001bfffffff   1G  online       yes     6
0x00000001c0000000-0x00000001ffffffff   1G offline               7
0x0000000200000000-0x000000023fffffff   1G offline               8
$SUMMARY" "$(lsmem -a)"
check "lsmem -b" "RANGE                                       SIZE   STATE REMOVABLE BLOCK
0x0000000000000000-0x000000007fffffff 2147483648  online       yes   0-1
0x0000000100000000-0x00000001bfffffff 3221225472  online       yes   4-6
0x00000001c0000000-0x000000023fffffff 2147483648 offline             7-8

Memory block size:           1073741824
Total online memory:         5368709120
Total offline memory:        2147483648" "$(lsmem -b)"
check "lsmem -n" "0x0000000000000000-0x000000007fffffff   2G  online       yes   0-1
0x0000000100000000-0x00000001bfffffff   3G  online       yes   4-6
0x00000001c0000000-0x000000023fffffff   2G offline             7-8
$SUMMARY" "$(lsmem -n)"
check "lsmem -r" "RANGE SIZE STATE REMOVABLE BLOCK
0x0000000000000000-0x000000007fffffff 2G online yes 0-1
0x0000000100000000-0x00000001bfffffff 3G online yes 4-6
0x00000001c0000000-0x000000023fffffff 2G offline  7-8" "$(lsmem -r)"
check "lsmem -P" 'RANGE="0x0000000000000000-0x000000007fffffff" SIZE="2G" STATE="online" REMOVABLE="yes" BLOCK="0-1"
RANGE="0x0000000100000000-0x00000001bfffffff" SIZE="3G" STATE="online" REMOVABLE="yes" BLOCK="4-6"
RANGE="0x00000001c0000000-0x000000023fffffff" SIZE="2G" STATE="offline" REMOVABLE="" BLOCK="7-8"' \
	"$(lsmem -P)"
check "lsmem -J" '{
   "memory": [
      {
         "range": "0x0000000000000000-0x000000007fffffff",
         "size": "2G",
         "state": "online",
         "removable": true,
         "block": "0-1"
      },{
         "range": "0x0000000100000000-0x00000001bfffffff",
         "size": "3G",
         "state": "online",
         "removable": true,
         "block": "4-6"
      },{
         "range": "0x00000001c0000000-0x000000023fffffff",
         "size": "2G",
         "state": "offline",
         "removable": false,
         "block": "7-8"
      }
   ]
}' "$(lsmem -J)"
check "lsmem --summary=only" "${SUMMARY#?}" "$(lsmem --summary=only)"
check "lsmem --summary=never" "RANGE                                 SIZE   STATE REMOVABLE BLOCK
0x0000000000000000-0x000000007fffffff   2G  online       yes   0-1
0x0000000100000000-0x00000001bfffffff   3G  online       yes   4-6
0x00000001c0000000-0x000000023fffffff   2G offline             7-8" "$(lsmem --summary=never)"
# every column: NODE and ZONES split at node and zone changes; memory0 is "None" (DMA+DMA32)
ALL="RANGE                                 SIZE   STATE REMOVABLE BLOCK NODE          ZONES
0x0000000000000000-0x000000003fffffff   1G  online       yes     0    0           None
0x0000000040000000-0x000000007fffffff   1G  online       yes     1    0          DMA32
0x0000000100000000-0x000000013fffffff   1G  online       yes     4    0         Normal
0x0000000140000000-0x000000017fffffff   1G  online       yes     5    0        Movable
0x0000000180000000-0x00000001bfffffff   1G  online       yes     6    1         Normal
0x00000001c0000000-0x000000023fffffff   2G offline             7-8    1 Normal/Movable
$SUMMARY"
check "lsmem -o all columns" "$ALL" "$(lsmem -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES)"
check "lsmem --output-all" "$ALL" "$(lsmem --output-all)"
check "lsmem -a -o BLOCK,NODE,ZONES,STATE" "BLOCK NODE          ZONES   STATE
    0    0           None  online
    1    0          DMA32  online
    4    0         Normal  online
    5    0        Movable  online
    6    1         Normal  online
    7    1 Normal/Movable offline
    8    1 Normal/Movable offline
$SUMMARY" "$(lsmem -a -o BLOCK,NODE,ZONES,STATE)"
# --split on the default columns: by STATE only, 4-6 stays one range across nodes and zones
check "lsmem --split=STATE" "$(lsmem)" "$(lsmem --split=STATE)"
# --split=NODE alone: 6-8 are one range although 7-8 are offline (lsmem shows the state of the
# first block of a range); 0-1 and 4-5 stay apart because of the hole
check "lsmem --split=NODE -o RANGE,STATE,NODE" "RANGE                                  STATE NODE
0x0000000000000000-0x000000007fffffff online    0
0x0000000100000000-0x000000017fffffff online    0
0x0000000180000000-0x000000023fffffff online    1
$SUMMARY" "$(lsmem --split=NODE -o RANGE,STATE,NODE)"
check "lsmem --split=ZONES -r -o BLOCK,ZONES" "BLOCK ZONES
0 None
1 DMA32
4 Normal
5 Movable
6 Normal
7-8 Normal/Movable" "$(lsmem --split=ZONES -r -o BLOCK,ZONES)"
# a change through the files shows in the next run
echo online_movable >$M/memory8/state
check "lsmem after online_movable" "8 online Movable" "$(lsmem -r -n -a -o BLOCK,STATE,ZONES | tail -1)"
INNER

ns_run "$TMP/inner.sh"
[ "$CHECKS" -ge 18 ] || fail "only $CHECKS checks ran"
mhp_finish
