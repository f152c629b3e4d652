#!/bin/bash
# SPDX-License-Identifier: MIT
# --seed=/ on this host: in a private mount namespace, the emulation seeded from the host's own
# sysfs is mounted over /sys/devices/system/memory, and plain `lsmem` prints exactly what it
# printed on the host.  Then one block goes offline and online again through the emulation; the
# filesystem type is checked before every write, so the real sysfs is never written.
. "$(dirname "$0")/lib.sh"

command -v lsmem >/dev/null || skip "lsmem (util-linux) not installed"
command -v unshare >/dev/null || skip "unshare (util-linux) not installed"
HOSTMEM=/sys/devices/system/memory
ls -d $HOSTMEM/memory[0-9]* >/dev/null 2>&1 || skip "this host has no memory blocks in $HOSTMEM"
[ "$(stat -f -c %T $HOSTMEM)" = sysfs ] || skip "$HOSTMEM is not the host's sysfs"

OPTS=("" "-a" "-b" "-n -r" "-J" "-P" "-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES"
	"-a -o BLOCK,NODE,ZONES,STATE" "--split=STATE" "--summary=only")
for i in "${!OPTS[@]}"; do
	lsmem ${OPTS[$i]} >$TMP/host.$i 2>&1
done
# an online block that a kernel would let go: a single zone, the highest one
VICTIM=
for d in $(cd $HOSTMEM && ls -d memory[0-9]* | sort -V -r); do
	if [ "$(cat $HOSTMEM/$d/state)" = online ] &&
		[[ "$(cat $HOSTMEM/$d/valid_zones)" =~ ^(Normal|Movable)$ ]]; then
		VICTIM=$d
		break
	fi
done

cat >$TMP/inner.sh <<'EOF'
# runs in the private mount namespace: $1 daemon, $2 work dir, $3 victim block
DAEMON=$1 T=$2 VICTIM=$3 MEM=/sys/devices/system/memory
out() { echo "$*" >>$T/results; }
cleanup() {
	[ "$(stat -f -c %T $MEM)" != sysfs ] && umount $MEM
	mountpoint -q $T/mnt && fusermount3 -u $T/mnt
	[ -n "$PID" ] && kill $PID 2>/dev/null && wait $PID 2>/dev/null
}
trap cleanup EXIT
mkdir -p $T/mnt
"$DAEMON" -f --seed=/ $T/mnt 2>>$T/daemon.log &
PID=$!
for i in $(seq 200); do
	case $(stat -f -c %T $T/mnt) in fuse*) break ;; esac
	kill -0 $PID 2>/dev/null || { out "FAIL daemon exited: $(cat $T/daemon.log)"; exit 1; }
	sleep 0.05
done
mount --bind $T/mnt $MEM || { out "FAIL bind mount"; exit 1; }
fstype() { stat -f -c %T $MEM; }
case $(fstype) in fuse*) out PASS ;; *) out "FAIL $MEM is $(fstype) after the bind mount"; exit 1 ;; esac
OPTS=("" "-a" "-b" "-n -r" "-J" "-P" "-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES"
	"-a -o BLOCK,NODE,ZONES,STATE" "--split=STATE" "--summary=only")
for i in "${!OPTS[@]}"; do
	if lsmem ${OPTS[$i]} 2>&1 | cmp -s - $T/host.$i; then
		out PASS
	else
		out "FAIL lsmem ${OPTS[$i]}: $(lsmem ${OPTS[$i]} 2>&1 | diff $T/host.$i - | head -5)"
	fi
done
grep -q difference $T/daemon.log && out "FAIL the daemon reported: $(cat $T/daemon.log)" || out PASS
[ -n "$VICTIM" ] || exit 0
# writes: only ever to the emulation
case $(fstype) in fuse*) ;; *) out "FAIL not writing: $MEM is $(fstype)"; exit 1 ;; esac
if echo offline >$MEM/$VICTIM/state; then out PASS; else out "FAIL offline $VICTIM"; fi
[ "$(cat $MEM/$VICTIM/state)" = offline ] && out PASS || out "FAIL $VICTIM not offline"
lsmem -a -o BLOCK,STATE | grep -Eq "^ *${VICTIM#memory} +offline$" && out PASS ||
	out "FAIL lsmem does not show $VICTIM offline"
case $(fstype) in fuse*) ;; *) out "FAIL not writing: $MEM is $(fstype)"; exit 1 ;; esac
if echo offline >$MEM/$VICTIM/state 2>$T/err; then
	out "FAIL a second offline succeeded"
else
	grep -q "Invalid argument" $T/err && out PASS || out "FAIL second offline: $(cat $T/err)"
fi
echo online >$MEM/$VICTIM/state && out PASS || out "FAIL online $VICTIM"
EOF
unshare -m --propagation private bash $TMP/inner.sh "$DAEMON" $TMP "$VICTIM"

[ -s $TMP/results ] || fail "the namespace produced no results"
while read -r line; do
	case $line in
	PASS) pass ;;
	*) fail "${line#FAIL }" ;;
	esac
done <$TMP/results
# the host's own sysfs is untouched by all this
expect_eq "host lsmem afterwards" "$(cat $TMP/host.0)" "$(lsmem 2>&1)"
expect_eq "host sysfs type" sysfs "$(stat -f -c %T $HOSTMEM)"

mhp_finish
