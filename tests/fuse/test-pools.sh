#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/fuse/test-pools.sh - the page pools through the mount: per-node meminfo and vmstat, the
# workload control file, offlines that migrate real pages (and the ones that cannot finish:
# going-offline, the device lock on `online`, EINTR), unmovable pages (EBUSY), and memory failure
# (soft_offline_page, hard_offline_page, EHWPOISON on a later online).
#
# A small machine keeps it cheap: 1 MiB blocks (256 pages), node 0 = memory4096..4111,
# node 1 = memory4112..4127, 16 MiB each, all Normal.
. "$(dirname "$0")/lib.sh" "$1" "$2"

SMALL=(--layout=sysfs --block-size=1M --boot=4G-4112M@0,4112M-4128M@1)

# meminfo_kb FILE KEY: the kB value of "Node N KEY:" in a node meminfo
meminfo_kb() {
	awk -v k="$2:" '$3 == k { print $4 }' "$1"
}

# umount_retry DIR: mhp_umount, retried while the daemon's own change thread briefly holds a file
# of the mount open (fusermount3 then says EBUSY)
umount_retry() {
	local i
	for i in $(seq 50); do
		fusermount3 -u "$1" 2>/dev/null && break
		sleep 0.1
	done
	wait "$DAEMON_PID" 2>/dev/null
}

# wait_state FILE STATE: poll (5 s at most) until FILE reads STATE
wait_state() {
	local i
	for i in $(seq 100); do
		[ "$(cat "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# ---- offline that cannot finish: pinned pages in a kernel zone ----------------------------------
A=$TMP/a
mhp_mount "$A" "${SMALL[@]}" --workload=fill.0.Normal=100,pinned_pct=100
M=$A/devices/system/memory
N0=$A/devices/system/node/node0/meminfo
CTL=$A/kernel/debug/memhotplugfs
expect_eq "pinned workload: node0 AnonPages" 16384 "$(meminfo_kb "$N0" AnonPages)"
expect_eq "pinned workload: node0 MemFree" 0 "$(meminfo_kb "$N0" MemFree)"
expect_eq "--workload shows in the control file" "fill.0.Normal=100 pinned_pct=100" \
	"$(grep -E '^(fill.0.Normal|pinned_pct)=' "$CTL/workload" | tr '\n' ' ' | sed 's/ $//')"

sh -c "echo offline > $M/memory4100/state" 2>/dev/null &
WRITER=$!
PIDS+=($WRITER)
if wait_state "$M/memory4100/state" going-offline; then pass; else fail "never going-offline"; fi
# `online` takes the device lock: the read waits for the offline; other reads do not
cat "$M/memory4100/online" >"$TMP/online.out" 2>&1 &
READER=$!
PIDS+=($READER)
sleep 0.5
if kill -0 "$READER" 2>/dev/null && [ ! -s "$TMP/online.out" ]; then
	pass
else
	fail "reading online of a block going offline did not block"
fi
expect_eq "state while retrying" going-offline "$(timeout 2 cat "$M/memory4100/state")"
expect_eq "online of another block" 1 "$(timeout 2 cat "$M/memory4101/online")"
# not online any more: valid_zones shows where it could go online, as the kernel does
expect_eq "valid_zones while retrying" "Normal Movable" "$(timeout 2 cat "$M/memory4100/valid_zones")"
expect_eq "meminfo while retrying" 16384 "$(timeout 2 awk '$3 == "MemTotal:" { print $4 }' "$N0")"
if kill -0 "$WRITER" 2>/dev/null; then pass; else fail "the offline ended by itself"; fi
# a fatal signal interrupts the write: the offline is cancelled, the block back online
kill -TERM "$WRITER"
wait "$WRITER" 2>/dev/null
if wait_state "$M/memory4100/state" online; then pass; else fail "not back online after a signal"; fi
wait "$READER"
expect_eq "the blocked online read ends with the old value" 1 "$(cat "$TMP/online.out")"
expect_eq "interrupts counted" 1 "$(awk '$1 == "interrupts" { print $2 }' "$CTL/stats")"
# a handled signal: the writer sees EINTR
expect_eq "interrupted writer" "state going-offline
write EINTR" "$("$FUSETEST" interrupt "$M/memory4100/state" offline "$M/memory4100/state")"
expect_file "$M/memory4100/state" online
expect_file "$M/memory4100/online" 1
expect_eq "pinned pages kept" "pages 4096" "$(head -1 "$CTL/workload_verify")"
umount_retry "$A"

# ---- meminfo, the workload file, migration into another node, unmovable pages -----------------
B=$TMP/b
mhp_mount "$B" "${SMALL[@]}"
M=$B/devices/system/memory
N0=$B/devices/system/node/node0
N1=$B/devices/system/node/node1
CTL=$B/kernel/debug/memhotplugfs
expect_stat "$CTL/workload" "regular empty file" 600 0
expect_stat "$CTL/workload_verify" "regular empty file" 400 0
expect_eq "MemTotal" 16384 "$(meminfo_kb "$N0/meminfo" MemTotal)"
expect_eq "MemFree" 16384 "$(meminfo_kb "$N0/meminfo" MemFree)"
expect_eq "MemUsed" 0 "$(meminfo_kb "$N0/meminfo" MemUsed)"
expect_eq "meminfo line format" "Node 0 MemTotal:          16384 kB" "$(head -1 "$N0/meminfo")"
expect_eq "idle workload" "fill.0.DMA=0 fill.0.DMA32=0 fill.0.Normal=0 fill.0.Movable=0" \
	"$(head -4 "$CTL/workload" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "workload keys" "unmovable_pct=0 pinned_pct=0 cache_pct=0 writers=0 seed=0" \
	"$(tail -5 "$CTL/workload" | tr '\n' ' ' | sed 's/ $//')"

# a Movable block full of movable pages, written by two threads, goes offline intact
expect_write "$M/memory4100/state" offline
expect_eq "MemTotal after offline" 15360 "$(meminfo_kb "$N0/meminfo" MemTotal)"
expect_write "$M/memory4100/state" online_movable
expect_file "$M/memory4100/valid_zones" Movable
expect_write "$CTL/workload" "fill.0.Movable=100 writers=2 seed=5"
expect_eq "AnonPages in Movable" 1024 "$(meminfo_kb "$N0/meminfo" AnonPages)"
expect_eq "Active(anon)" 1024 "$(meminfo_kb "$N0/meminfo" 'Active(anon)')"
expect_eq "MemFree with a workload" 15360 "$(meminfo_kb "$N0/meminfo" MemFree)"
expect_eq "vmstat nr_anon_pages" 256 "$(awk '$1 == "nr_anon_pages" { print $2 }' "$N0/vmstat")"
expect_eq "vmstat nr_free_pages" 3840 "$(awk '$1 == "nr_free_pages" { print $2 }' "$N0/vmstat")"
expect_eq "workload reads back" "fill.0.Movable=100 writers=2 seed=5" \
	"$(grep -E '^(fill.0.Movable|writers|seed)=' "$CTL/workload" | tr '\n' ' ' | sed 's/ $//')"
sleep 0.2
expect_write "$M/memory4100/state" offline
expect_file "$M/memory4100/state" offline
expect_eq "node0 AnonPages after offline" 0 "$(meminfo_kb "$N0/meminfo" AnonPages)"
expect_eq "pages migrated to node1" 1024 "$(meminfo_kb "$N1/meminfo" AnonPages)"
expect_eq "node1 MemFree" 15360 "$(meminfo_kb "$N1/meminfo" MemFree)"
expect_eq "data intact after migration" "pages 256" "$(head -1 "$CTL/workload_verify")"
writes=$(awk '$1 == "writes" { print $2 }' "$CTL/workload_verify")
if [ "${writes:-0}" -gt 0 ]; then pass; else fail "the writers wrote nothing"; fi

# a bad item changes nothing
before=$(cat "$CTL/workload")
expect_write_err "$CTL/workload" "fill.0.Movable=101" "Invalid argument"
expect_write_err "$CTL/workload" "bogus=1" "Invalid argument"
expect_write_err "$CTL/workload" "fill.2.Normal=1" "Invalid argument"
expect_write_err "$CTL/workload" "fill.0.Normal=10 unmovable_pct=60 cache_pct=50" "Invalid argument"
expect_write_err "$CTL/workload" "writers=65" "Invalid argument"
expect_write_err "$CTL/workload" "fill.0.Normal" "Invalid argument"
expect_eq "workload unchanged after errors" "$before" "$(cat "$CTL/workload")"
expect_eq "workload file for root only" EACCES "$("$FUSETEST" asuser 65534 "$CTL/workload" r)"

# page cache pages are FilePages
expect_write "$CTL/workload" "fill.0.Movable=0 writers=0 fill.1.Normal=25 cache_pct=100"
expect_eq "FilePages" 4096 "$(meminfo_kb "$N1/meminfo" FilePages)"
expect_eq "no AnonPages" 0 "$(meminfo_kb "$N1/meminfo" AnonPages)"
expect_eq "vmstat nr_file_pages" 1024 "$(awk '$1 == "nr_file_pages" { print $2 }' "$N1/vmstat")"
# unmovable pages: the offline fails at isolation with EBUSY and the block stays online
expect_write "$CTL/workload" "fill.1.Normal=100 cache_pct=0 unmovable_pct=100"
expect_eq "node1 full" 0 "$(meminfo_kb "$N1/meminfo" MemFree)"
expect_eq "node1 MemUsed" 16384 "$(meminfo_kb "$N1/meminfo" MemUsed)"
expect_write_err "$M/memory4120/state" offline "Device or resource busy"
expect_file "$M/memory4120/state" online
expect_write_err "$M/memory4120/online" 0 "Device or resource busy"
expect_file "$M/memory4120/online" 1
expect_write "$CTL/workload" "fill.1.Normal=0"
expect_eq "node1 empty again" 16384 "$(meminfo_kb "$N1/meminfo" MemFree)"
expect_write "$M/memory4120/state" offline
umount_retry "$B"

# ---- soft_offline_page and hard_offline_page --------------------------------------------------
C=$TMP/c
mhp_mount "$C" "${SMALL[@]}"
M=$C/devices/system/memory
N0=$C/devices/system/node/node0/meminfo
CTL=$C/kernel/debug/memhotplugfs
expect_stat "$M/soft_offline_page" "regular file" 200 4096
expect_stat "$M/hard_offline_page" "regular file" 200 4096
expect_eq "soft_offline_page not readable" EACCES "$("$FUSETEST" open "$M/soft_offline_page" r)"
expect_eq "hard_offline_page not readable" EACCES "$("$FUSETEST" open "$M/hard_offline_page" rw)"
for bad in xyz 0x " 0x100500000" "0x100500000 " 99999999999999999999999 -1; do
	expect_write_err "$M/soft_offline_page" "$bad" "Invalid argument"
	expect_write_err "$M/hard_offline_page" "$bad" "Invalid argument"
done
# no present section at 0
expect_write_err "$M/soft_offline_page" 0 "No such device or address"
expect_write_err "$M/hard_offline_page" 0x0 "No such device or address"
# a free page of memory4101 (0x100500000), decimal and octal too
expect_write "$M/soft_offline_page" 0x100500000
expect_eq "MemFree after soft offline" 16380 "$(meminfo_kb "$N0" MemFree)"
expect_eq "MemUsed after soft offline" 4 "$(meminfo_kb "$N0" MemUsed)"
expect_write "$M/soft_offline_page" 4300210176 # same page: already poisoned is a success
expect_write_err "$M/hard_offline_page" 040024000000 "Memory page has hardware error"
expect_write "$M/hard_offline_page" 0x100501000
expect_eq "MemFree after hard offline" 16376 "$(meminfo_kb "$N0" MemFree)"
# a block with poisoned pages goes offline but never comes back
expect_write "$M/memory4101/state" offline
expect_write_err "$M/memory4101/state" online "Memory page has hardware error"
expect_write_err "$M/memory4101/online" 1 "Memory page has hardware error"
expect_write_err "$M/memory4101/state" online_movable "Memory page has hardware error"
expect_file "$M/memory4101/state" offline
expect_file "$M/memory4101/online" 0
# a present but offline page: soft says EIO, memory_failure ENXIO
expect_write_err "$M/soft_offline_page" 0x100502000 "Input/output error"
expect_write_err "$M/hard_offline_page" 0x100502000 "No such device or address"
# without CAP_SYS_ADMIN: EPERM (root without the capability, then another uid on root's fd)
if command -v setpriv >/dev/null; then
	expect_eq "root without CAP_SYS_ADMIN" "write error: Operation not permitted" \
		"$(setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
			bash -c "echo 0x100600000 > $M/soft_offline_page" 2>&1 | sed 's/.*: write error/write error/')"
fi
expect_eq "another uid on an fd opened by root" EPERM "$(python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
os.setuid(65534)
try:
    os.write(fd, b"0x100600000")
    print("ok")
except OSError as e:
    print("EPERM" if e.errno == 1 else e.strerror)
' "$M/hard_offline_page")"
expect_eq "nothing poisoned by refused writes" 15360 "$(meminfo_kb "$N0" MemFree)"

# tenant pages: soft offline keeps the bytes, hard offline loses the page
expect_write "$CTL/workload" "fill.0.Normal=50 writers=1"
pages=$(head -1 "$CTL/workload_verify")
expect_eq "workload pages" "pages 1920" "$pages"
addr=$(printf '0x%x' $((4111 * 1048576))) # the last block of node 0 is filled first
expect_write "$M/soft_offline_page" "$addr"
expect_eq "soft offline keeps tenant data" "pages 1920" "$(head -1 "$CTL/workload_verify")"
expect_write "$M/hard_offline_page" "$(printf '0x%x' $((4111 * 1048576 + 4096)))"
expect_eq "hard offline loses one page" "pages 1919" "$(head -1 "$CTL/workload_verify")"
expect_eq "AnonPages after the loss" 7676 "$(meminfo_kb "$N0" AnonPages)"
umount_retry "$C"

# ---- --workload and --no-memory-failure on the command line -----------------------------------
if "$DAEMON" -f --workload=bogus=1 "$TMP/never" 2>"$TMP/bad.err"; then
	fail "--workload=bogus=1 was accepted"
else
	pass
	expect_eq "--workload error names the option" 1 "$(grep -c -- '--workload' "$TMP/bad.err")"
fi
D=$TMP/d
mhp_mount "$D" "${SMALL[@]}" --no-memory-failure
expect_eq "no memory failure files" "" "$(ls "$D/devices/system/memory" | grep offline_page)"
umount_retry "$D"

mhp_finish
