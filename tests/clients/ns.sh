# SPDX-License-Identifier: MIT
# tests/clients/ns.sh - run a client test inside a private mount namespace with memhotplugfs
# mounted over the real /sys paths, since the clients only know those paths.
#
# Outer side (the meson test, after tests/fuse/lib.sh): ns_run SCRIPT [args...] runs SCRIPT
# with bash under `unshare -m --propagation private`, prints its output and turns each line
# "ok WHAT" into a pass and "FAIL WHAT" into a failure.  Nothing mounted in there is visible
# outside, and the namespace with its mounts goes away with its last process.
#
# Inner side (SCRIPT sources this file too, with NS_INNER=1): ns_mount_memory and
# ns_mount_sysfs start the daemon and refuse to go on unless `stat -f` shows the FUSE mount on
# /sys/devices/system/memory, so a test never writes to the host's real sysfs.

if [ -z "${NS_INNER:-}" ]; then
	command -v unshare >/dev/null || skip "unshare (util-linux) not installed"
	unshare -m --propagation private true 2>/dev/null || skip "cannot create a mount namespace"

	# ns_run SCRIPT [args...]: the inner script gets the daemon as $1 and this file as $2
	ns_run() {
		local script=$1 out word rest
		shift
		out=$(unshare -m --propagation private bash "$script" "$DAEMON" \
			"$(dirname "${BASH_SOURCE[0]}")/ns.sh" "$@" 2>&1)
		echo "$out"
		while read -r word rest; do
			case $word in
			ok) pass ;;
			FAIL) fail "$rest" ;;
			esac
		done <<<"$out"
		# the host's sysfs was not touched and nothing is left mounted there
		case $(stat -f -c %T /sys/devices/system/memory 2>/dev/null) in
		fuse*) fail "/sys/devices/system/memory shows a FUSE mount outside the namespace" ;;
		*) pass ;;
		esac
	}
	return 0
fi

set -u
M=/sys/devices/system/memory
NS_PID=
NS_TMP=$(mktemp -d /tmp/mhpfs-client.XXXXXX)
NS_UNDO=()
NS_RMDIR=() # directories a test created as mount points, removed after the unmounts

ns_cleanup() {
	local i
	# binds first (last made, first undone), then the daemon's own mount
	for ((i = ${#NS_UNDO[@]} - 1; i >= 0; i--)); do
		umount -l "${NS_UNDO[i]}" 2>/dev/null || fusermount3 -u "${NS_UNDO[i]}" 2>/dev/null
	done
	for ((i = ${#NS_RMDIR[@]} - 1; i >= 0; i--)); do
		rmdir "${NS_RMDIR[i]}" 2>/dev/null
	done
	if [ -n "$NS_PID" ]; then
		kill "$NS_PID" 2>/dev/null
		wait "$NS_PID" 2>/dev/null
	fi
	rm -rf "$NS_TMP"
}
trap ns_cleanup EXIT

# check WHAT EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		echo "ok $1"
	else
		echo "FAIL $1: expected '$2', got '$3'"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -40 | sed 's/^/    /'
	fi
}

# ns_start DIR [daemon options...]: start the daemon in the foreground and wait for the mount
ns_start() {
	local dir=$1 i
	shift
	mkdir -p "$dir"
	"$DAEMON" -f "$@" "$dir" 2>>"$NS_TMP/daemon.log" &
	NS_PID=$!
	NS_UNDO+=("$dir")
	for i in $(seq 200); do
		case $(stat -f -c %T "$dir" 2>/dev/null) in
		fuse*) return 0 ;;
		esac
		if ! kill -0 "$NS_PID" 2>/dev/null; then
			echo "FAIL the daemon exited: $(cat "$NS_TMP/daemon.log")"
			exit 1
		fi
		sleep 0.05
	done
	echo "FAIL the mount of $dir did not appear"
	exit 1
}

# every write below this point goes to the emulation, or the test stops here
ns_require_fuse() {
	case $(stat -f -c %T "$M" 2>/dev/null) in
	fuse*) ;;
	*)
		echo "FAIL $M is not the FUSE mount: refusing to go on"
		exit 1
		;;
	esac
}

# ns_mount_memory [daemon options...]: the memory layout mounted on /sys/devices/system/memory
ns_mount_memory() {
	ns_start "$M" "$@"
	ns_require_fuse
}

# ns_mount_sysfs [daemon options...]: the sysfs layout in a temporary directory ($S), with its
# subtrees bound over the real ones, so that memoryN/node0 -> ../../node/node0 and
# subsystem -> ../../../../bus/memory resolve to emulated directories
ns_mount_sysfs() {
	local d
	S=$NS_TMP/sys
	ns_start "$S" --layout=sysfs "$@"
	for d in devices/system/memory devices/system/node bus/memory module/memory_hotplug; do
		[ -d "/sys/$d" ] || {
			echo "FAIL /sys/$d does not exist on this host: nothing to bind over"
			exit 1
		}
		mount --bind "$S/$d" "/sys/$d" || {
			echo "FAIL cannot bind $S/$d over /sys/$d"
			exit 1
		}
		NS_UNDO+=("/sys/$d")
	done
	ns_require_fuse
}
