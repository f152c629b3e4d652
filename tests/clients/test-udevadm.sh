#!/bin/bash
# SPDX-License-Identifier: MIT
# udevadm (systemd's libudev) on memory blocks: `udevadm info -a` walks memoryN and its parent
# with every attribute, `udevadm test` runs a memory hot-add rule whose ATTR{state} write goes to
# the emulation.  libudev refuses devices whose /sys is not sysfs unless
# SYSTEMD_DEVICE_VERIFY_SYSFS=0; /run/udev (udevadm test writes its database there) and
# /etc/udev/rules.d are private tmpfs mounts of the namespace.
. "$(dirname "$0")/../fuse/lib.sh"
DAEMON=$(readlink -f "$DAEMON") # meson passes it relative to the build directory
. "$(dirname "$0")/ns.sh"
command -v udevadm >/dev/null || skip "udevadm (udev) not installed"

cat >"$TMP/inner.sh" <<'INNER'
DAEMON=$1
NS_INNER=1 . "$2"
ns_mount_sysfs --block-size=1G --boot=0-2G@0,4G-6G@0,6G-8G@1 --reserved=2G-4G \
	--hotplug=8G-10G@1
for d in /run/udev /etc/udev/rules.d; do
	# a mount point created here is created on the host's filesystem: remove it afterwards
	[ -d $d ] || { mkdir -p $d && NS_RMDIR+=("$d"); }
	mount -t tmpfs -o mode=0755 tmpfs $d || {
		echo "FAIL cannot mount a tmpfs on $d"
		exit 1
	}
	NS_UNDO+=("$d")
done
export SYSTEMD_DEVICE_VERIFY_SYSFS=0

check "udevadm info -a memory4" "  looking at device '/devices/system/memory/memory4':
    KERNEL==\"memory4\"
    SUBSYSTEM==\"memory\"
    DRIVER==\"\"
    ATTR{online}==\"1\"
    ATTR{phys_device}==\"0\"
    ATTR{phys_index}==\"00000004\"
    ATTR{power/control}==\"auto\"
    ATTR{power/runtime_active_time}==\"0\"
    ATTR{power/runtime_status}==\"unsupported\"
    ATTR{power/runtime_suspended_time}==\"0\"
    ATTR{removable}==\"1\"
    ATTR{state}==\"online\"
    ATTR{valid_zones}==\"Normal\"

  looking at parent device '/devices/system/memory':
    KERNELS==\"memory\"
    SUBSYSTEMS==\"\"
    DRIVERS==\"\"
    ATTRS{auto_online_blocks}==\"offline\"
    ATTRS{block_size_bytes}==\"40000000\"
    ATTRS{hard_offline_page}==\"(not readable)\"
    ATTRS{power/control}==\"auto\"
    ATTRS{power/runtime_active_time}==\"0\"
    ATTRS{power/runtime_status}==\"unsupported\"
    ATTRS{power/runtime_suspended_time}==\"0\"
    ATTRS{probe}==\"(not readable)\"
    ATTRS{soft_offline_page}==\"(not readable)\"" \
	"$(udevadm info -a /sys/devices/system/memory/memory4 | sed -n '/looking at device/,$p' | sed '${/^$/d}')"
# the same device by its name under /sys/bus/memory/devices, after a state change
echo offline >$M/memory7/state
check "udevadm info -a memory7 attributes" '    ATTR{online}=="0"
    ATTR{phys_index}=="00000007"
    ATTR{state}=="offline"
    ATTR{valid_zones}=="Normal Movable"' \
	"$(udevadm info -a /sys/bus/memory/devices/memory7 | grep -E 'ATTR\{(online|phys_index|state|valid_zones)\}')"
check "udevadm info memory7" "P: /devices/system/memory/memory7
M: memory7
R: 7
U: memory
E: DEVPATH=/devices/system/memory/memory7
E: SUBSYSTEM=memory" "$(udevadm info /sys/devices/system/memory/memory7 | sed '/^$/d')"

# (probe, soft_offline_page, hard_offline_page are 0200: libudev cannot read them)
# a hot-add rule as distributions ship them, onlining new memory as Movable when it may be
cat >/etc/udev/rules.d/40-memhotplugfs-test.rules <<'RULES'
SUBSYSTEM!="memory", GOTO="mhp_end"
ACTION!="add", GOTO="mhp_end"
ENV{MHP_ZONES_BEFORE}="$attr{valid_zones}"
ATTR{state}=="offline", ATTR{valid_zones}=="*Movable*", ATTR{state}="online_movable"
LABEL="mhp_end"
RULES
echo 0x200000000 >$M/probe
out=$(udevadm test --action=add /sys/devices/system/memory/memory8 2>&1)
echo "$out" | grep -q "40-memhotplugfs-test.rules:4 ATTR '/sys/devices/system/memory/memory8/state' writing 'online_movable'" &&
	echo "ok udevadm test writes state" || echo "FAIL udevadm test did not write memory8/state: $out"
check "udevadm test properties" "DEVPATH=/devices/system/memory/memory8
ACTION=add
SUBSYSTEM=memory
MHP_ZONES_BEFORE=Normal Movable" "$(echo "$out" | grep -E '^(DEVPATH|ACTION|SUBSYSTEM|MHP_ZONES_BEFORE)=')"
check "memory8 after the rule" "online Movable 1" \
	"$(cat $M/memory8/state $M/memory8/valid_zones $M/memory8/online | tr '\n' ' ' | sed 's/ $//')"
# an online block does not match ATTR{state}=="offline": nothing is written
out=$(udevadm test --action=add /sys/devices/system/memory/memory4 2>&1)
case $out in
*"writing"*) echo "FAIL udevadm test wrote to the online memory4: $out" ;;
*MHP_ZONES_BEFORE=Normal*) echo "ok udevadm test leaves online memory4 alone" ;;
*) echo "FAIL udevadm test on memory4: $out" ;;
esac
# the rule's write fails as on a kernel when the zone cannot be had: memory7 lies in node 1's
# Normal span and may go Movable, but with the injector armed the online fails with EBUSY
echo -16 >$S/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error
out=$(udevadm test --action=add /sys/devices/system/memory/memory7 2>&1)
echo 0 >$S/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error
echo "$out" | grep -q "memory7.*Failed to write ATTR{/sys/devices/system/memory/memory7/state}.*Device or resource busy" &&
	echo "ok udevadm test reports EBUSY" || echo "FAIL udevadm test on memory7: $out"
check "memory7 still offline" "offline" "$(cat $M/memory7/state)"
INNER

ns_run "$TMP/inner.sh"
[ "$CHECKS" -ge 10 ] || fail "only $CHECKS checks ran"
mhp_finish
