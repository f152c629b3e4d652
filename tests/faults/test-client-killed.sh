#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/faults/test-client-killed.sh DAEMON - a writer killed (SIGKILL) while its offline waits
# on long-term pinned pages: the kernel turns the kill into a FUSE INTERRUPT, the offline fails
# with EINTR through the cancel path (MEM_CANCEL_OFFLINE), so the block is back online, every
# tenant byte is intact, nothing leaks and the filesystem keeps working.
source "$(dirname "$0")/../fuse/lib.sh" "$1" ""

M=$TMP/sys
mhp_mount "$M" --layout=sysfs
MEM=$M/devices/system/memory
CTL=$M/kernel/debug/memhotplugfs

stat_of() {
	awk -v k="$1" '$1 == k { print $2 }' "$CTL/stats"
}

# long-term pinned pages in node 0's Normal zone: no block holding one can go offline
expect_write "$CTL/workload" "fill.0.Normal=5 pinned_pct=100 unmovable_pct=0 cache_pct=0"
interrupts0=$(stat_of interrupts)

# find a block whose offline hangs: start it, and see it still going-offline a moment later
victim=
for b in $(seq 63 -1 32); do
	[ "$(cat "$MEM/memory$b/state")" = online ] || continue
	bash -c 'exec 2>/dev/null; echo offline >"$1"' _ "$MEM/memory$b/state" &
	writer=$!
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$writer" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$writer" 2>/dev/null && [ "$(cat "$MEM/memory$b/state")" = going-offline ]; then
		victim=$b
		break
	fi
	wait "$writer"
done
[ -n "$victim" ] || {
	echo "no block with pinned pages found" >&2
	exit 1
}

kill -KILL "$writer"
dead=no
for i in $(seq 50); do
	kill -0 "$writer" 2>/dev/null || {
		dead=yes
		break
	}
	sleep 0.1
done
expect_eq "the killed writer is gone within 5 s (the daemon answered the interrupt)" yes "$dead"
wait "$writer" 2>/dev/null
expect_file "$MEM/memory$victim/state" online
expect_file "$MEM/memory$victim/online" 1
if [ "$(stat_of interrupts)" -gt "$interrupts0" ]; then pass; else fail "no interrupt counted"; fi

# the tenants' bytes survived the aborted migration, and the block works normally afterwards
verify=$(cat "$CTL/workload_verify" 2>&1) && pass || fail "workload_verify: $verify"
expect_write "$CTL/workload" "pinned_pct=0"
expect_write "$CTL/workload" "fill=0"
expect_write "$MEM/memory$victim/state" offline
expect_file "$MEM/memory$victim/state" offline
expect_write "$MEM/memory$victim/state" online

pid=$DAEMON_PID
mhp_umount "$M"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
expect_eq "daemon exit status" 0 $?
if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$TMP/daemon.log"; then
	fail "sanitizer report from the daemon:"
	cat "$TMP/daemon.log" >&2
fi
mhp_finish
