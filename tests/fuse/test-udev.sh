#!/bin/bash
# SPDX-License-Identifier: MIT
# Real udev tools against the daemon (issue 5), each in private namespaces so that nothing reaches
# the host's udev: inside `unshare -n -m` a tmpfs on /run holds an empty /run/udev/control (libudev
# listens on the udev group only when udevd seems to run), the daemon broadcasts with
# --netlink=on, and its mini sysfs is bind-mounted over /sys.
#   - `udevadm monitor --udev --property` receives add, online, offline and remove;
#   - `udevadm trigger --subsystem-match=memory` writes "change" to every block's uevent file;
#   - `udevadm test` of the auto-online rule onlines an offline block.
# Arguments: daemon, fusetest, polltest.
if [ "${MHPFS_IN_NS:-}" != 1 ]; then
	for c in udevadm unshare; do
		command -v $c >/dev/null || { echo "SKIP: $c is not installed"; exit 77; }
	done
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (namespaces, FUSE mounts)"; exit 77; }
	unshare -n -m true 2>/dev/null ||
		{ echo "SKIP: cannot create network and mount namespaces"; exit 77; }
	# run this very script again inside the namespaces; they die with it
	MHPFS_IN_NS=1 exec unshare -n -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

export SYSTEMD_DEVICE_VERIFY_SYSFS=0
export SYSTEMD_LOG_LEVEL=info
mount -t tmpfs -o mode=0755 tmpfs /run || skip "cannot mount a tmpfs on /run"
mkdir -p /run/udev
: >/run/udev/control

wait_for() { # FILE PATTERN [TRIES]
	local i
	for i in $(seq "${3:-100}"); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

S=$TMP/sys
mhp_mount $S --layout=sysfs --netlink=on
MEM=$S/devices/system/memory

# ---- udevadm monitor --udev --property -------------------------------------------------------
udevadm monitor --udev --property --subsystem-match=memory >$TMP/mon 2>&1 &
MON=$!
wait_for $TMP/mon "UDEV - the event" || fail "udevadm monitor did not start: $(cat $TMP/mon)"
sleep 0.2
base=$(cat $S/kernel/uevent_seqnum)
expect_write $MEM/probe 0x300000000
expect_write $MEM/memory96/state online
expect_write $MEM/memory96/state offline
expect_write $S/kernel/debug/memhotplugfs/remove_memory "0x300000000 128M"
wait_for $TMP/mon "^ACTION=remove" || fail "monitor saw no remove: $(cat $TMP/mon)"
kill $MON
wait $MON 2>/dev/null
# the property blocks, USEC_INITIALIZED normalised (it is a time)
awk '/^UDEV +\[/ { sub(/^UDEV +\[[^]]*\] +/, ""); printf "%s %s\n", $1, $2; next }
	/^[A-Z_]+=/ { print }' $TMP/mon |
	sed 's/^USEC_INITIALIZED=[1-9][0-9]*$/USEC_INITIALIZED=set/' >$TMP/mon.props
{
	n=1
	for a in add online offline remove; do
		echo "$a /devices/system/memory/memory96"
		echo "ACTION=$a"
		echo "DEVPATH=/devices/system/memory/memory96"
		echo "SUBSYSTEM=memory"
		echo "SEQNUM=$((base + n))"
		echo "USEC_INITIALIZED=set"
		n=$((n + 1))
	done
} >$TMP/mon.want
if cmp -s $TMP/mon.want $TMP/mon.props; then pass; else fail "monitor: $(diff $TMP/mon.want $TMP/mon.props)"; fi
# the same USEC_INITIALIZED for the whole life of the device, as udevd's database keeps it
expect_eq "one USEC_INITIALIZED" 1 "$(grep -c . <(grep '^USEC_INITIALIZED=' $TMP/mon | sort -u))"

# ---- the mini sysfs as /sys ------------------------------------------------------------------
mount --bind $S /sys || fail "cannot bind the mount over /sys"

# udevadm trigger: a synthetic "change" per block, seen by a monitor
nblocks=$(ls /sys/bus/memory/devices | wc -l)
udevadm monitor --udev --property --subsystem-match=memory >$TMP/trig 2>&1 &
MON=$!
wait_for $TMP/trig "UDEV - the event" || fail "udevadm monitor did not start"
sleep 0.2
out=$(udevadm trigger --subsystem-match=memory 2>&1)
expect_eq "udevadm trigger" "0 " "$? $out"
for i in $(seq 100); do
	[ "$(grep -c '^ACTION=change$' $TMP/trig)" -ge "$nblocks" ] && break
	sleep 0.05
done
kill $MON
wait $MON 2>/dev/null
expect_eq "change events" "$nblocks" "$(grep -c '^ACTION=change$' $TMP/trig)"
expect_eq "SYNTH_UUID=0 on every change" "$nblocks" "$(grep -c '^SYNTH_UUID=0$' $TMP/trig)"
grep -q '^DEVPATH=/devices/system/memory/memory32$' $TMP/trig && pass ||
	fail "no change for memory32"

# udevadm test: the classic auto-online rule onlines a hot-added block
expect_write $MEM/probe 0x300000000
expect_file /sys/devices/system/memory/memory96/state offline
for d in /etc/udev/rules.d /usr/lib/udev/rules.d; do
	[ -d $d ] && mount -t tmpfs tmpfs $d
done
mkdir -p /etc/udev/rules.d
echo 'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ATTR{state}="online"' \
	>/etc/udev/rules.d/99-memhotplugfs-test.rules
udevadm test --action=add /devices/system/memory/memory96 >$TMP/test.log 2>&1
expect_eq "udevadm test rc" 0 $?
expect_file /sys/devices/system/memory/memory96/state online
expect_file /sys/devices/system/memory/memory96/online 1
umount /sys

mhp_finish
