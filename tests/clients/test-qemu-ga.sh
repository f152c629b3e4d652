#!/bin/bash
# SPDX-License-Identifier: MIT
# The QEMU guest agent's memory-block commands, as a host's `virsh setmem`-like tooling sends
# them, over qemu-ga's unix socket: qemu-ga reads and writes /sys/devices/system/memory itself.
. "$(dirname "$0")/../fuse/lib.sh"
DAEMON=$(readlink -f "$DAEMON") # meson passes it relative to the build directory
. "$(dirname "$0")/ns.sh"
QGA=$(command -v qemu-ga || echo /usr/sbin/qemu-ga)
[ -x "$QGA" ] || skip "qemu-ga (qemu-guest-agent) not installed"
command -v python3 >/dev/null || skip "python3 not installed"

# qga.py SOCKET JSON...: send each command, print each reply on one line (sorted keys)
cat >"$TMP/qga.py" <<'PY'
import json
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
s.connect(sys.argv[1])
f = s.makefile("rwb")
for cmd in sys.argv[2:]:
    f.write(cmd.encode() + b"\n")
    f.flush()
    line = f.readline()
    if not line:
        sys.exit("qemu-ga closed the connection")
    print(json.dumps(json.loads(line), sort_keys=True))
PY

cat >"$TMP/inner.sh" <<'INNER'
DAEMON=$1
NS_INNER=1 . "$2"
QGA=$3
QGA_PY=$4
# memory0 (DMA+DMA32: cannot go offline), 1, hole 2-3, 4-5 on node 0; 6-7 on node 1
ns_mount_sysfs --block-size=1G --boot=0-2G@0,4G-6G@0,6G-8G@1 --reserved=2G-4G \
	--hotplug=8G-10G@1
INJ=$S/kernel/debug/notifier-error-inject/memory/actions
SOCK=$NS_TMP/qga.sock
"$QGA" -m unix-listen -p "$SOCK" -f "$NS_TMP/qga.pid" -t "$NS_TMP" -l "$NS_TMP/qga.log" &
QPID=$!
trap 'kill $QPID 2>/dev/null; wait $QPID 2>/dev/null; ns_cleanup' EXIT
for i in $(seq 200); do
	[ -S "$SOCK" ] && break
	kill -0 $QPID 2>/dev/null || { echo "FAIL qemu-ga exited: $(cat "$NS_TMP/qga.log")"; exit 1; }
	sleep 0.05
done
qga() {
	python3 "$QGA_PY" "$SOCK" "$@" 2>&1
}
block() { # N ONLINE: one entry of guest-get-memory-blocks
	echo "{\"can-offline\": true, \"online\": $2, \"phys-index\": $1}"
}
blocks() { # ONLINE... for blocks 0 1 4 5 6 7 [8]
	local ids=(0 1 4 5 6 7 8) i=0 out=
	for o in "$@"; do
		out+="${out:+, }$(block ${ids[i]} $o)"
		i=$((i + 1))
	done
	echo "{\"return\": [$out]}"
}
check "guest-sync" '{"return": 42}' "$(qga '{"execute":"guest-sync","arguments":{"id":42}}')"
# every present block (the hole 2-3 has none), removable = can-offline
check "guest-get-memory-blocks" "$(blocks true true true true true true)" \
	"$(qga '{"execute":"guest-get-memory-blocks"}')"
check "guest-get-memory-block-info" '{"return": {"size": 1073741824}}' \
	"$(qga '{"execute":"guest-get-memory-block-info"}')"
# offline 5; memory0 refuses (EINVAL, "none" zone); 3 does not exist; 4 is already online
check "guest-set-memory-blocks" '{"return": [{"phys-index": 5, "response": "success"}, {"error-code": 22, "phys-index": 0, "response": "operation-failed"}, {"error-code": 2, "phys-index": 3, "response": "not-found"}, {"phys-index": 4, "response": "success"}]}' \
	"$(qga '{"execute":"guest-set-memory-blocks","arguments":{"mem-blks":[{"phys-index":5,"online":false},{"phys-index":0,"online":false},{"phys-index":3,"online":false},{"phys-index":4,"online":true}]}}')"
check "sysfs after set" "offline online" "$(cat $M/memory5/state $M/memory0/state | tr '\n' ' ' | sed 's/ $//')"
check "guest-get-memory-blocks after" "$(blocks true true true false true true)" \
	"$(qga '{"execute":"guest-get-memory-blocks"}')"
# a hot-added block appears offline and the agent onlines it
echo 0x200000000 >$M/probe
check "blocks with memory8" "$(blocks true true true false true true false)" \
	"$(qga '{"execute":"guest-get-memory-blocks"}')"
check "online 5 and 8" '{"return": [{"phys-index": 5, "response": "success"}, {"phys-index": 8, "response": "success"}]}' \
	"$(qga '{"execute":"guest-set-memory-blocks","arguments":{"mem-blks":[{"phys-index":5,"online":true},{"phys-index":8,"online":true}]}}')"
check "5 and 8 online" "online online" "$(cat $M/memory5/state $M/memory8/state | tr '\n' ' ' | sed 's/ $//')"
# the injector vetoes the offline: the agent passes the injected errno on, the block stays
echo -12 >$INJ/MEM_GOING_OFFLINE/error
check "offline vetoed" '{"return": [{"error-code": 12, "phys-index": 6, "response": "operation-failed"}]}' \
	"$(qga '{"execute":"guest-set-memory-blocks","arguments":{"mem-blks":[{"phys-index":6,"online":false}]}}')"
echo 0 >$INJ/MEM_GOING_OFFLINE/error
check "6 still online" "online" "$(cat $M/memory6/state)"
kill $QPID
wait $QPID 2>/dev/null
INNER

ns_run "$TMP/inner.sh" "$QGA" "$TMP/qga.py"
[ "$CHECKS" -ge 12 ] || fail "only $CHECKS checks ran"
mhp_finish
