#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/faults/test-signals.sh DAEMON - how the daemon ends: SIGTERM and SIGINT unmount and exit 0;
# SIGKILL with -o auto_unmount leaves no mount; SIGKILL without it leaves a stale mount, which a
# new daemon reports (with the recovery commands) instead of failing obscurely, and which
# fusermount3 -u or umount -l clears.
source "$(dirname "$0")/../fuse/lib.sh" "$1" ""

# wait_gone PID SECONDS: the process has exited (returns its status in $GONE_STATUS)
wait_gone() {
	local i
	for i in $(seq $(($2 * 10))); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			GONE_STATUS=$?
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# wait_unmounted DIR SECONDS
wait_unmounted() {
	local i
	for i in $(seq $(($2 * 10))); do
		mountpoint -q "$1" 2>/dev/null || [ "$(stat -f -c %T "$1" 2>&1)" != fuseblk ] && return 0
		sleep 0.1
	done
	return 1
}

is_mounted() {
	grep -q " $1 " /proc/mounts
}

# A shell starts background jobs with SIGINT ignored, and libfuse (rightly) leaves an ignored
# signal alone; Ctrl-C on a foreground daemon is what SIGINT is for, so give it the default.
REAL_DAEMON=$DAEMON
printf '#!/bin/sh\nexec env --default-signal=INT "%s" "$@"\n' "$REAL_DAEMON" >"$TMP/daemon-int"
chmod +x "$TMP/daemon-int"

for sig in TERM INT; do
	DAEMON=$REAL_DAEMON
	[ "$sig" = INT ] && DAEMON=$TMP/daemon-int
	mhp_mount "$TMP/$sig"
	DAEMON=$REAL_DAEMON
	kill -"$sig" "$DAEMON_PID"
	if wait_gone "$DAEMON_PID" 10; then
		expect_eq "exit status after SIG$sig" 0 "$GONE_STATUS"
	else
		fail "the daemon did not exit within 10 s of SIG$sig"
	fi
	if is_mounted "$TMP/$sig"; then
		fail "still mounted after SIG$sig"
	else
		pass
	fi
done

# SIGKILL with auto_unmount: fusermount3 notices the daemon's end and unmounts
mhp_mount "$TMP/auto" -o auto_unmount
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
gone=no
for i in $(seq 50); do
	is_mounted "$TMP/auto" || {
		gone=yes
		break
	}
	sleep 0.1
done
expect_eq "no mount 5 s after SIGKILL with -o auto_unmount" yes "$gone"

# SIGKILL without it: a stale mount that answers ENOTCONN
mhp_mount "$TMP/stale"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
err=$(ls "$TMP/stale" 2>&1)
if [[ "$err" == *"Transport endpoint is not connected"* ]]; then pass; else fail "stale mount: ls said '$err'"; fi

# a new daemon on the stale mount point: refused with the way out, nothing mounted on top
out=$(timeout 10 "$DAEMON" -f "$TMP/stale" 2>&1)
rc=$?
expect_eq "exit status on a stale mount point" 1 "$rc"
if [[ "$out" == *"stale FUSE mount"* && "$out" == *"fusermount3 -u $TMP/stale"* && "$out" == *"umount -l"* ]]; then
	pass
else
	fail "message on a stale mount point: '$out'"
fi
expect_eq "mounts on the stale mount point" 1 "$(grep -c " $TMP/stale " /proc/mounts)"

# the documented recoveries work, and the daemon mounts again afterwards
fusermount3 -u "$TMP/stale"
if is_mounted "$TMP/stale"; then fail "fusermount3 -u did not clear the stale mount"; else pass; fi
mhp_mount "$TMP/stale"
expect_file "$TMP/stale/block_size_bytes" 8000000
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
umount -l "$TMP/stale"
if is_mounted "$TMP/stale"; then fail "umount -l did not clear the stale mount"; else pass; fi

if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$TMP/daemon.log"; then
	fail "sanitizer report from a daemon:"
	cat "$TMP/daemon.log" >&2
fi
mhp_finish
