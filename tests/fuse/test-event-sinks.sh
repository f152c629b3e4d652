#!/bin/bash
# SPDX-License-Identifier: MIT
# Events (issue 5, SPEC §8): the event stream file, synthetic uevents, poll() on attributes,
# inotify through the mount, the uevent helper, netlink refusal in the host's namespace.
# Arguments: daemon, fusetest, polltest.
. "$(dirname "$0")/lib.sh"
POLLTEST=$3

command -v inotifywait >/dev/null || skip "inotifywait (inotify-tools) is not installed"

UUID=12345678-1234-1234-1234-123456789abc

# wait_for FILE PATTERN [TRIES]: until grep finds PATTERN in FILE (50 ms steps)
wait_for() {
	local i
	for i in $(seq "${3:-100}"); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# record ACTION ID SEQNUM [EXTRA-LINES]: one memory block record of the stream
record() {
	printf '%s@/devices/system/memory/memory%s\nACTION=%s\nDEVPATH=/devices/system/memory/memory%s\nSUBSYSTEM=memory\n%sSEQNUM=%s\n\n' \
		"$1" "$2" "$1" "$2" "${4:-}" "$3"
}

M=$TMP/m
mhp_mount $M --layout=sysfs
MEM=$M/devices/system/memory
CTL=$M/kernel/debug/memhotplugfs
EV=$CTL/events

# ---- the event stream file -------------------------------------------------------------------
expect_stat $EV "regular empty file" 400 0
expect_eq "events opened for writing" EACCES "$("$FUSETEST" open $EV w)"

base=$(cat $M/kernel/uevent_seqnum)
cat $EV >$TMP/ev 2>$TMP/ev.err &
CAT=$!
sleep 0.3 # cat is now blocked in read(): the records below wake it
expect_write $MEM/probe 0x300000000
expect_write $MEM/memory96/state online_movable
expect_write $MEM/memory96/state offline
expect_write_err $MEM/memory96/state offline "Invalid argument" # no-op: no event
expect_write $CTL/remove_memory "0x300000000 128M"
# synthetic events (SPEC §8): SYNTH_UUID and SYNTH_ARG_* keys, strict parsing
expect_write $MEM/memory33/uevent "change $UUID A=1 b2=x"
expect_write $MEM/memory34/uevent add
expect_write_err $MEM/memory33/uevent nope "Invalid argument"
expect_write_err $MEM/memory33/uevent "change $UUID A_B=1" "Invalid argument"
expect_write_err $MEM/memory33/uevent "change 1234" "Invalid argument"
# the root device has no bus or class: accepted, filtered, no SEQNUM used
expect_write $MEM/uevent add
expect_write $M/devices/system/node/uevent change
# a bus is let through: udevadm trigger --type=subsystems writes these
expect_write $M/bus/memory/uevent "add $UUID K=v"
expect_write $M/bus/node/uevent change
expect_write_err $M/bus/node/uevent "change 1234" "Invalid argument"
wait_for $TMP/ev "^SEQNUM=$((base + 8))$" || fail "the stream did not get 8 records: $(cat $TMP/ev)"
kill $CAT
wait $CAT 2>/dev/null
{
	record add 96 $((base + 1))
	record online 96 $((base + 2))
	record offline 96 $((base + 3))
	record remove 96 $((base + 4))
	record change 33 $((base + 5)) "SYNTH_UUID=$UUID
SYNTH_ARG_A=1
SYNTH_ARG_b2=x
"
	record add 34 $((base + 6)) "SYNTH_UUID=0
"
	printf 'add@/bus/memory\nACTION=add\nDEVPATH=/bus/memory\nSUBSYSTEM=bus\nSYNTH_UUID=%s\nSYNTH_ARG_K=v\nSEQNUM=%s\n\n' \
		"$UUID" $((base + 7))
	printf 'change@/bus/node\nACTION=change\nDEVPATH=/bus/node\nSUBSYSTEM=bus\nSYNTH_UUID=0\nSEQNUM=%s\n\n' \
		$((base + 8))
} >$TMP/ev.want
if cmp -s $TMP/ev.want $TMP/ev; then pass; else fail "stream: $(diff $TMP/ev.want $TMP/ev)"; fi
expect_file $M/kernel/uevent_seqnum $((base + 8))

# a new reader starts at the oldest record kept; poll says readable
out=$("$POLLTEST" stream $EV 2000)
expect_eq "poll of the stream with records" "IN
add@/devices/system/memory/memory96" "$out"

# ---- poll() on attribute files ---------------------------------------------------------------
"$POLLTEST" attr $MEM/memory33/state 5000 >$TMP/p1 &
P1=$!
"$POLLTEST" attr $MEM/memory34/state 1500 >$TMP/p2 &
P2=$!
"$POLLTEST" attr $MEM/auto_online_blocks 5000 >$TMP/p3 &
P3=$!
wait_for $TMP/p1 ready && wait_for $TMP/p2 ready && wait_for $TMP/p3 ready ||
	fail "poll clients did not start"
expect_write $MEM/memory33/state offline
expect_write $MEM/auto_online_blocks online
wait $P1 $P2 $P3
# woken with POLLERR|POLLPRI; a new read sees the change and no wakeup stays pending.  An offline
# changes the state twice (going-offline, then offline): a reader woken at the first change and
# reading before the second is woken once more.
p1=$(cat $TMP/p1)
[ "$p1" = "ready
ERR PRI
ERR PRI
timeout
value offline" ] && p1="ready
ERR PRI
timeout
value offline"
expect_eq "poll state (changed)" "ready
ERR PRI
timeout
value offline" "$p1"
# another block's state did not change: no wakeup
expect_eq "poll state (unchanged)" "ready
timeout
timeout
value online" "$(cat $TMP/p2)"
expect_eq "poll auto_online_blocks" "ready
ERR PRI
timeout
value online" "$(cat $TMP/p3)"

# ---- inotify through the mount ---------------------------------------------------------------
expect_eq "mkdir in sysfs" "Operation not permitted" \
	"$(mkdir $MEM/memory999 2>&1 | sed 's/.*: //')"
expect_eq "rmdir in sysfs" "Operation not permitted" \
	"$(rmdir $MEM/memory40 2>&1 | sed 's/.*: //')"
inotifywait -m -e create,delete,modify $MEM $MEM/memory40 >$TMP/ino 2>$TMP/ino.err &
INO=$!
wait_for $TMP/ino.err "Watches established" || fail "inotifywait did not start"
# auto_online_blocks is "online" now: the probe creates memory97 and onlines it
expect_write $MEM/probe 0x308000000
expect_file $MEM/memory97/state online
# a write to `online` changes `state` too: only the daemon can tell inotify
expect_write $MEM/memory40/online 0
expect_write $CTL/remove_memory "0x308000000 128M"
wait_for $TMP/ino "DELETE,ISDIR memory97" || fail "no IN_DELETE for memory97"
wait_for $TMP/ino "memory40/ MODIFY valid_zones" || fail "no IN_MODIFY of memory40/valid_zones"
kill $INO
wait $INO 2>/dev/null
grep -qx "$MEM/ CREATE,ISDIR memory97" $TMP/ino && pass || fail "no IN_CREATE: $(cat $TMP/ino)"
grep -qx "$MEM/memory40/ MODIFY state" $TMP/ino && pass || fail "no IN_MODIFY state: $(cat $TMP/ino)"
grep -qx "$MEM/ DELETE,ISDIR memory97" $TMP/ino && pass || fail "no IN_DELETE: $(cat $TMP/ino)"
# the directories are real again for everyone else
[ -d $MEM/memory40 ] && [ ! -e $MEM/memory97 ] && pass || fail "tree changed by inotify replays"
expect_file $MEM/memory40/state offline
ls $MEM | grep -q '^memory97$' && fail "ls still shows memory97" || pass
mhp_umount $M

# ---- the uevent helper -----------------------------------------------------------------------
cat >$TMP/helper.sh <<EOF
#!/bin/sh
tr '\\000' '\\n' < /proc/\$\$/environ > $TMP/helper.\$SEQNUM
echo "\$0 \$1 \$#" >> $TMP/helper.\$SEQNUM
EOF
chmod 755 $TMP/helper.sh
H=$TMP/h
mhp_mount $H --uevent-helper=$TMP/helper.sh --uevent-helper-timeout=2000
expect_write $H/probe 0x300000000
f=
for i in $(seq 100); do
	f=$(ls $TMP/helper.[0-9]* 2>/dev/null | head -1)
	[ -n "$f" ] && grep -q "^$TMP/helper.sh" "$f" && break
	sleep 0.05
done
[ -n "$f" ] || fail "the helper did not run"
seq=${f##*.}
expect_eq "helper environment" "ACTION=add
DEVPATH=/devices/system/memory/memory96
SUBSYSTEM=memory
SEQNUM=$seq
HOME=/
PATH=/sbin:/bin:/usr/sbin:/usr/bin
$TMP/helper.sh memory 1" "$(cat $f)"
mhp_umount $H

# ---- options ----------------------------------------------------------------------------------
Z=$TMP/z
mhp_mount $Z --layout=sysfs --event-stream-capacity=0 --no-inotify
[ -e $Z/kernel/debug/memhotplugfs/events ] && fail "events exists with capacity 0" || pass
[ -e $Z/kernel/debug/memhotplugfs/stats ] && pass || fail "control directory missing"
mhp_umount $Z
mkdir -p $TMP/never
for bad in --netlink=maybe --uevent-helper=relative --uevent-helper-timeout=0 \
	--event-stream-capacity=-1; do
	out=$("$DAEMON" -f $bad $TMP/never 2>&1)
	[ $? -ne 0 ] && pass || fail "$bad exited 0"
	[[ $out == *"${bad%%=*}"* ]] && pass || fail "$bad: message '$out' does not name the option"
done

# ---- netlink is refused in the host's initial network namespace -------------------------------
N=$TMP/n
mkdir -p $N
if [ "$(stat -L -c %i /proc/self/ns/net)" = 4026531833 ] ||
	[ "$(stat -L -c %i /proc/self/ns/net)" = "$(stat -L -c %i /proc/1/ns/net 2>/dev/null)" ]; then
	out=$("$DAEMON" -f --netlink=on $N 2>&1)
	expect_eq "--netlink=on in the host namespace exits" 1 $?
	[[ $out == *"--netlink=force"* ]] && pass || fail "refusal does not name --netlink=force: $out"
	case $(stat -f -c %T $N) in fuse*) fail "--netlink=on mounted"; fusermount3 -u $N ;; *) pass ;; esac
fi

mhp_finish
