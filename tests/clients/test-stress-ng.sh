#!/bin/bash
# SPDX-License-Identifier: MIT
# stress-ng's memhotplug stressor offlines and onlines every removable block under
# /sys/devices/system/memory in turn (one open per block, then "offline" and "online" written on
# the same descriptor, without newlines).  Here the blocks hold a page-pool workload of movable
# pages that two threads keep rewriting, so every offline migrates pages under the writers: the
# run must complete, every block must end as it began, the offlines and onlines must really have
# happened (one uevent each), and every byte the writers wrote must have moved intact.
. "$(dirname "$0")/../fuse/lib.sh"
DAEMON=$(readlink -f "$DAEMON") # meson passes it relative to the build directory
. "$(dirname "$0")/ns.sh"
command -v stress-ng >/dev/null || skip "stress-ng not installed"

cat >"$TMP/inner.sh" <<'INNER'
DAEMON=$1
NS_INNER=1 . "$2"
# 16 blocks on each node; memory0 spans DMA and DMA32 and cannot go offline (EINVAL)
ns_mount_sysfs --block-size=128M --boot=0-2G@0,4G-6G@1 --reserved=2G-4G --hotplug= \
	--workload=fill=10,writers=2,seed=7
CTL=$S/kernel/debug/memhotplugfs
states() {
	local d
	for d in $M/memory*; do
		printf '%s:%s ' "${d##*memory}" "$(cat $d/state)"
	done | sed 's/ $//'
}
before=$(states)
case $before in
*offline*) echo "FAIL a block is offline before the run: $before" ;;
*) echo "ok all blocks online before" ;;
esac
seq0=$(cat $S/kernel/uevent_seqnum)
cat $CTL/events >$NS_TMP/events &
EVPID=$!
sleep 0.2

out=$(timeout 120 stress-ng -v --memhotplug 1 --memhotplug-ops 60 --metrics-brief 2>&1)
rc=$?
check "stress-ng exit status" 0 "$rc"
case $out in
*"successful run completed"*) echo "ok stress-ng completed" ;;
*) echo "FAIL stress-ng: $out" ;;
esac
echo "$out" | grep -q "found [0-9]* removable hotplug memory regions" &&
	echo "ok stress-ng found the blocks" || echo "FAIL stress-ng found no blocks: $out"
check "states after the run" "$before" "$(states)"

# every successful offline was followed by an online: as many of each, and some of them
sleep 0.3
kill $EVPID 2>/dev/null
wait $EVPID 2>/dev/null
offs=$(grep -c '^ACTION=offline$' $NS_TMP/events)
ons=$(grep -c '^ACTION=online$' $NS_TMP/events)
check "as many onlines as offlines" "$offs" "$ons"
[ "$offs" -ge 20 ] && echo "ok $offs offlines" || echo "FAIL only $offs offlines: $out"
check "uevent_seqnum" $((seq0 + offs + ons)) "$(cat $S/kernel/uevent_seqnum)"
grep -q '^offline@/devices/system/memory/memory0$' $NS_TMP/events &&
	echo "FAIL memory0 went offline" || echo "ok memory0 stayed online"

# the writers' bytes moved with their pages
v=$(cat $CTL/workload_verify 2>&1)
case $v in
"pages "[1-9]*) echo "ok workload intact: ${v//$'\n'/ }" ;;
*) echo "FAIL workload_verify: $v" ;;
esac
writes=$(awk '$1 == "writes" { print $2 }' <<<"$v")
[ "${writes:-0}" -gt 0 ] && echo "ok the writers wrote" || echo "FAIL the writers wrote nothing"
INNER

ns_run "$TMP/inner.sh"
[ "$CHECKS" -ge 10 ] || fail "only $CHECKS checks ran"
mhp_finish
