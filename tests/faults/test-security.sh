#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/faults/test-security.sh DAEMON - what an unprivileged user can do to a mount, and what
# hostile configuration or seed input can do to the daemon.
#  - with -o allow_other a non-root user reads the 0444/0644 attributes, gets EACCES on every
#    write (state, online, probe, parameters, uevent) and cannot even look into the root-only
#    debugfs part (the injector and the daemon's control files), as on a kernel;
#  - without allow_other the user cannot use the mount at all (FUSE's own rule);
#  - --netlink=on is refused in the host's network namespace;
#  - --seed never follows a symbolic link out of the system root, and oversized or hostile names
#    and values in --seed and --config are refused with a message, never a crash.
source "$(dirname "$0")/../fuse/lib.sh" "$1" ""

command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}
# nobody must be able to reach the mount point itself
chmod 755 "$TMP"

# nobody_write FILE VALUE: the write fails with EACCES and the file is unchanged
nobody_write() {
	local before err
	before=$(cat "$1" 2>/dev/null)
	if err=$(as_nobody sh -c 'echo "$2" > "$1"' _ "$1" "$2" 2>&1); then
		fail "nobody wrote '$2' to $1"
	elif [[ "$err" == *"Permission denied"* ]]; then
		pass
	else
		fail "nobody writing $1: '$err'"
	fi
	expect_eq "$1 after a refused write" "$before" "$(cat "$1" 2>/dev/null)"
}

nobody_denied() {
	local err
	if err=$(as_nobody "$@" 2>&1); then
		fail "nobody could: $*"
	elif [[ "$err" == *"Permission denied"* ]]; then
		pass
	else
		fail "nobody: $*: '$err'"
	fi
}

S=$TMP/sys
mhp_mount "$S" --layout=sysfs -o allow_other
MEM=$S/devices/system/memory
expect_eq "nobody reads state" online "$(as_nobody cat "$MEM/memory40/state")"
expect_eq "nobody reads valid_zones" Normal "$(as_nobody cat "$MEM/memory40/valid_zones")"
expect_eq "nobody reads a parameter" 301 \
	"$(as_nobody cat "$S/module/memory_hotplug/parameters/auto_movable_ratio")"
nobody_write "$MEM/memory40/state" offline
nobody_write "$MEM/memory40/online" 0
nobody_write "$MEM/auto_online_blocks" online
nobody_write "$MEM/memory40/uevent" add
nobody_write "$MEM/memory40/power/control" on
nobody_write "$S/module/memory_hotplug/parameters/online_policy" auto-movable
nobody_write "$S/module/memory_hotplug/parameters/auto_movable_ratio" 0
nobody_denied sh -c "echo 0x300000000 > $MEM/probe"
[ -e "$MEM/memory96" ] && fail "nobody's probe added memory96" || pass
nobody_denied ls "$S/kernel/debug"
nobody_denied cat "$S/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error"
nobody_denied sh -c "echo -12 > $S/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error"
nobody_denied cat "$S/kernel/debug/memhotplugfs/stats"
nobody_denied sh -c "echo '12G 1G' > $S/kernel/debug/memhotplugfs/add_memory"
expect_file "$S/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error" 0
expect_stat "$S/kernel/debug" directory 700 0
mhp_umount "$S"

# without allow_other, another user cannot use the mount at all
P=$TMP/private
mhp_mount "$P"
nobody_denied cat "$P/block_size_bytes"
nobody_denied ls "$P"
mhp_umount "$P"

# netlink broadcasts would reach the host's udev: refused unless forced
out=$(timeout 10 "$DAEMON" -f --netlink=on "$TMP/nl" 2>&1)
expect_eq "--netlink=on in the initial network namespace: exit status" 1 $?
[[ "$out" == *"unshare -n"* ]] && pass || fail "--netlink=on message: '$out'"
grep -q " $TMP/nl " /proc/mounts && fail "mounted despite the refusal" || pass

# expect_refused WHAT ARGS...: the daemon stops with status 1 and a message, mounts nothing
expect_refused() {
	local what=$1 out rc
	shift
	mkdir -p "$TMP/x"
	out=$(timeout 20 "$DAEMON" -f "$@" "$TMP/x" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && [ -n "$out" ]; then
		pass
	else
		fail "$what: status $rc (1 expected), message '$out'"
	fi
	if grep -q " $TMP/x " /proc/mounts; then
		fail "$what: mounted"
		fusermount3 -u "$TMP/x"
	fi
}

# a seed whose memory directory is a link out of the root
mkdir -p "$TMP/outside/sys/devices/system/memory/memory0" "$TMP/seed1/sys/devices/system"
echo 8000000 >"$TMP/outside/sys/devices/system/memory/block_size_bytes"
echo online >"$TMP/outside/sys/devices/system/memory/memory0/state"
ln -s ../../../outside/sys/devices/system/memory "$TMP/seed1/sys/devices/system/memory"
expect_refused "--seed with a linked memory directory" --seed="$TMP/seed1"
out=$("$DAEMON" -f --seed="$TMP/seed1" "$TMP/x" 2>&1)
[[ "$out" == *"sys/devices/system/memory"* ]] && pass || fail "seed1 message: '$out'"

# a seed whose block_size_bytes and state are links to files outside
mkdir -p "$TMP/seed2/sys/devices/system/memory/memory0"
ln -s ../../../../outside/sys/devices/system/memory/block_size_bytes \
	"$TMP/seed2/sys/devices/system/memory/block_size_bytes"
echo online >"$TMP/seed2/sys/devices/system/memory/memory0/state"
expect_refused "--seed with a linked block_size_bytes" --seed="$TMP/seed2"
rm "$TMP/seed2/sys/devices/system/memory/block_size_bytes"
echo 8000000 >"$TMP/seed2/sys/devices/system/memory/block_size_bytes"
rm "$TMP/seed2/sys/devices/system/memory/memory0/state"
ln -s /etc/passwd "$TMP/seed2/sys/devices/system/memory/memory0/state"
expect_refused "--seed with a linked state" --seed="$TMP/seed2"
# a FIFO where a value should be: never opened for a blocking read
rm "$TMP/seed2/sys/devices/system/memory/memory0/state"
mkfifo "$TMP/seed2/sys/devices/system/memory/memory0/state"
expect_refused "--seed with a FIFO for state" --seed="$TMP/seed2"

# oversized and hostile names and values
mkdir -p "$TMP/seed3/sys/devices/system/memory/memory99999999999999999999999999"
echo 8000000 >"$TMP/seed3/sys/devices/system/memory/block_size_bytes"
echo online >"$TMP/seed3/sys/devices/system/memory/memory99999999999999999999999999/state"
expect_refused "--seed with a block id beyond 64 bits" --seed="$TMP/seed3"
mkdir -p "$TMP/seed4/sys/devices/system/memory/memory0"
echo 8000000 >"$TMP/seed4/sys/devices/system/memory/block_size_bytes"
head -c 100000 /dev/zero | tr '\0' o >"$TMP/seed4/sys/devices/system/memory/memory0/state"
expect_refused "--seed with a 100 kB state" --seed="$TMP/seed4"

printf '[machine]\nblock_size = %s\n' "$(head -c 5000 /dev/zero | tr '\0' 1)" >"$TMP/long.conf"
expect_refused "--config with a 5000-byte line" --config="$TMP/long.conf"
printf '[node 99999999999999999999]\nmemory = 0-1G\n' >"$TMP/node.conf"
expect_refused "--config with a huge node number" --config="$TMP/node.conf"
printf '[node 0]\nmemory = 0-1G\ncpus = 0-99999999\n' >"$TMP/cpus.conf"
expect_refused "--config with a huge cpu list" --config="$TMP/cpus.conf"
printf '[machine]\nblock_size = 128M\n[node 0]\nmemory = 0-0xffffffffffffffff\n' >"$TMP/range.conf"
expect_refused "--config with a range to the end of 64 bits" --config="$TMP/range.conf"
expect_refused "--config naming a directory" --config="$TMP"

mhp_finish
