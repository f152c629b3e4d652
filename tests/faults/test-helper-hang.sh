#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/faults/test-helper-hang.sh DAEMON - a uevent helper that never returns (and ignores
# SIGTERM) must not stall the filesystem: stores, reads and the unmount go on at full speed, and
# the stuck helpers are killed when their timeout expires.
source "$(dirname "$0")/../fuse/lib.sh" "$1" ""

cat >"$TMP/hang" <<'SH'
#!/bin/sh
trap '' TERM INT HUP
echo "$$" >>"${0%/*}/helper-pids"
exec sleep 1000
SH
chmod 755 "$TMP/hang"

M=$TMP/mem
mhp_mount "$M" --uevent-helper="$TMP/hang" --uevent-helper-timeout=2000
start=$(date +%s%N)
for i in 1 2 3 4 5; do
	for b in 40 41 42 43; do
		expect_write "$M/memory$b/state" offline
		expect_write "$M/memory$b/state" online
	done
	cat "$M"/memory4*/valid_zones >/dev/null || fail "reads while helpers hang"
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "40 transitions with a hanging helper: $elapsed_ms ms"
if [ "$elapsed_ms" -lt 5000 ]; then pass; else fail "40 transitions took $elapsed_ms ms"; fi

# Helper runs are serialised (fusefs/helper.h): one hangs at a time until its 2 s limit kills
# its process group, then the next event's run starts.  After 5 s: the runs moved on, and every
# run but the newest is dead.
sleep 5
runs=$(wc -l <"$TMP/helper-pids")
if [ "$runs" -ge 2 ]; then pass; else fail "helper runs after 5 s: $runs (a stuck run was never killed)"; fi
alive=0
for p in $(head -n -1 "$TMP/helper-pids"); do
	# a pid that is now someone else's would have to be a sleep to be counted
	if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = sleep ]; then
		alive=$((alive + 1))
	fi
done
expect_eq "earlier hung helpers still alive after their 2 s limit" 0 "$alive"

pid=$DAEMON_PID
start=$(date +%s%N)
mhp_umount "$M"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if [ "$elapsed_ms" -lt 5000 ]; then pass; else fail "unmount and exit took $elapsed_ms ms"; fi
if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$TMP/daemon.log"; then
	fail "sanitizer report from the daemon:"
	cat "$TMP/daemon.log" >&2
fi
mhp_finish
