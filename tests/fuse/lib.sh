# SPDX-License-Identifier: MIT
# tests/fuse/lib.sh - shared helpers of the mounted tests (sourced by bash).
#
# Each test: source this with the daemon's path in $1 and the helper program in $2, call
# mhp_mount DIR [options...], check things, and exit through mhp_finish.  Cleanup runs from an
# EXIT trap: every mount this file made is unmounted and every daemon it started is killed by pid.

set -u

DAEMON=$1
FUSETEST=${2:-}
FAILS=0
CHECKS=0
MOUNTS=()
PIDS=()
TMP=$(mktemp -d /tmp/mhpfs-test.XXXXXX)
chmod 755 "$TMP"

mhp_cleanup() {
	local m p
	for m in "${MOUNTS[@]}"; do
		if mountpoint -q "$m" 2>/dev/null; then
			fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		fi
	done
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap mhp_cleanup EXIT
trap 'exit 1' INT TERM

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root (FUSE mounts, root-only attributes)"
[ -c /dev/fuse ] || skip "no /dev/fuse"

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

pass() {
	CHECKS=$((CHECKS + 1))
}

# mhp_mount DIR [daemon options...]: start the daemon in the foreground, wait for the mount
mhp_mount() {
	local dir=$1 i
	shift
	mkdir -p "$dir"
	"$DAEMON" -f "$@" "$dir" 2>>"$TMP/daemon.log" &
	PIDS+=($!)
	MOUNTS+=("$dir")
	DAEMON_PID=$!
	for i in $(seq 200); do
		case $(stat -f -c %T "$dir" 2>/dev/null) in
		fuse*) return 0 ;;
		esac
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			echo "daemon exited:" >&2
			cat "$TMP/daemon.log" >&2
			exit 1
		fi
		sleep 0.05
	done
	echo "mount of $dir did not appear" >&2
	exit 1
}

# mhp_umount DIR: unmount and wait for that daemon to exit; returns the daemon's exit status
mhp_umount() {
	local i
	# fusermount3 -u fails with EBUSY while one of the daemon's own inotify replays is in flight
	# on the mount, or right after a client exits (FUSE sends the RELEASE of a closed file
	# asynchronously): retry for a bounded time, then detach lazily rather than hang.
	for i in $(seq 200); do
		fusermount3 -u "$1" 2>/dev/null && break
		mountpoint -q "$1" || break
		sleep 0.05
	done
	if mountpoint -q "$1"; then
		fail "$1: still mounted after 10 s of fusermount3 -u (a leaked open file?); detaching"
		umount -l "$1"
	fi
	# the daemon exits once unmounted (a sanitizer's exit checks take a while); never wait forever
	for i in $(seq 400); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		fail "daemon $DAEMON_PID still running 20 s after unmount"
		kill -9 "$DAEMON_PID"
	fi
	wait "$DAEMON_PID" 2>/dev/null
}

# expect_file FILE TEXT: FILE reads exactly TEXT followed by one newline
expect_file() {
	if printf '%s\n' "$2" | cmp -s - "$1"; then
		pass
	else
		fail "$1: expected '$2', got '$(cat "$1" 2>&1 | od -c | head -3)'"
	fi
}

# expect_raw FILE PRINTF-FORMAT: FILE reads exactly what printf makes of the format
expect_raw() {
	if printf "$2" | cmp -s - "$1"; then
		pass
	else
		fail "$1: expected $(printf "$2" | od -c | head -2), got $(od -c "$1" 2>&1 | head -3)"
	fi
}

# expect_write FILE VALUE: `echo VALUE > FILE` succeeds
expect_write() {
	local err
	if err=$( (echo "$2" >"$1") 2>&1); then
		pass
	else
		fail "echo '$2' > $1 failed: $err"
	fi
}

# expect_write_err FILE VALUE MESSAGE: `echo VALUE > FILE` fails with the strerror MESSAGE
expect_write_err() {
	local err
	if err=$( (echo "$2" >"$1") 2>&1); then
		fail "echo '$2' > $1 succeeded, expected '$3'"
	elif [[ "$err" == *"$3"* ]]; then
		pass
	else
		fail "echo '$2' > $1: expected '$3', got '$err'"
	fi
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass
	else
		fail "$1: expected '$2', got '$3'"
	fi
}

# expect_stat PATH TYPE MODE SIZE: `stat` %F, %a and %s
expect_stat() {
	local got
	got=$(stat -c '%F %a %s %U:%G' "$1" 2>&1)
	expect_eq "stat $1" "$2 $3 $4 root:root" "$got"
}

mhp_finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS of $((CHECKS + FAILS)) checks failed"
		exit 1
	fi
	echo "all $CHECKS checks passed"
	exit 0
}
