#!/bin/bash
# SPDX-License-Identifier: MIT
# chmem (util-linux) enable, disable and zone requests against memhotplugfs mounted over
# /sys/devices/system/memory in a private mount namespace: chmem only knows the real path.
# Nothing is written before `stat -f` shows the FUSE mount there.
. "$(dirname "$0")/lib.sh"

command -v chmem >/dev/null || skip "chmem (util-linux) not installed"
command -v unshare >/dev/null || skip "unshare not installed"
unshare -m --propagation private true 2>/dev/null || skip "cannot create a mount namespace"

M=/sys/devices/system/memory
cat >"$TMP/inner.sh" <<'INNER'
set -u
DAEMON=$1
M=/sys/devices/system/memory
fails=0
check() { # WHAT EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then echo "ok $1"; else echo "FAIL $1: expected '$2', got '$3'"; fi
}
"$DAEMON" -f "$M" 2>/dev/null &
pid=$!
trap 'fusermount3 -u "$M" 2>/dev/null || umount -l "$M" 2>/dev/null; kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for i in $(seq 200); do
	case $(stat -f -c %T "$M") in fuse*) break ;; esac
	kill -0 $pid 2>/dev/null || { echo "FAIL daemon died"; exit 1; }
	sleep 0.05
done
# never write to the real sysfs
case $(stat -f -c %T "$M") in
fuse*) ;;
*) echo "FAIL $M is not the FUSE mount"; exit 1 ;;
esac
check "mounted block size" 8000000 "$(cat $M/block_size_bytes)"
check "88 blocks" 88 "$(ls -d $M/memory* | wc -l)"

chmem -d -b 40-41 >/dev/null 2>&1; check "disable blocks rc" 0 $?
check "40 offline" offline "$(cat $M/memory40/state)"
check "41 offline" offline "$(cat $M/memory41/state)"
chmem -e -z Movable -b 40 >/dev/null 2>&1; check "enable Movable rc" 0 $?
check "40 Movable" "online Movable" "$(cat $M/memory40/state) $(cat $M/memory40/valid_zones)"
chmem -e -z Normal -b 41 >/dev/null 2>&1; check "enable Normal rc" 0 $?
check "41 Normal" "online Normal" "$(cat $M/memory41/state) $(cat $M/memory41/valid_zones)"
# by size: chmem takes removable blocks from the top of memory
chmem -d 256M >/dev/null 2>&1; check "disable 256M rc" 0 $?
check "94 95 offline" "offline offline" "$(cat $M/memory94/state) $(cat $M/memory95/state)"
chmem -e 128M >/dev/null 2>&1; check "enable 128M rc" 0 $?
check "one enabled" 1 "$(cat $M/memory9[45]/state | grep -c '^online$')"
# memory0 spans DMA and DMA32: the kernel refuses with EINVAL, chmem reports it
chmem -d -b 0 >/dev/null 2>&1; check "disable memory0 fails" 1 $?
check "memory0 online" online "$(cat $M/memory0/state)"
chmem -e -b 40 >/dev/null 2>&1; check "enable an online block: chmem's no-op" 0 $?
# one of 94-95 is online (nothing to do), the other refuses DMA: chmem's "some failed" (64)
chmem -e -z DMA -b 94-95 >/dev/null 2>&1; check "zone not valid" 64 $?
check "still one offline" 1 "$(cat $M/memory9[45]/state | grep -c '^offline$')"
INNER

out=$(unshare -m --propagation private bash "$TMP/inner.sh" "$DAEMON" 2>&1)
echo "$out"
while read -r word rest; do
	case $word in
	ok) pass ;;
	FAIL) fail "$rest" ;;
	esac
done <<<"$out"
[ "$CHECKS" -ge 15 ] || fail "only $CHECKS checks ran"
# the real sysfs was not touched and nothing is left mounted there
case $(stat -f -c %T $M 2>/dev/null) in
fuse*) fail "$M still shows a FUSE mount outside the namespace" ;;
*) pass ;;
esac

mhp_finish
