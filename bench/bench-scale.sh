#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/bench-scale.sh - how long the daemon takes to give a usable mount, and how much memory it
# keeps per memory block, for machines of 1 (the baseline) up to N blocks (default 1,048,576).
#
# usage: bench/bench-scale.sh DAEMON [BLOCKS...]     (root, /dev/fuse)
#   env BLOCK_SIZE=32K   block size of the machines (default 32K: the smallest, so that 1M blocks
#                        is 32 GiB and the page pool's per-page metadata stays small)
#   env EXTRA="..."      more daemon options
#   env LSMEM=no         skip the lsmem column (it takes minutes for a million blocks)
#
# For each machine: one node, boot memory [0, BLOCKS * BLOCK_SIZE), all online.  Measured:
#   start   exec of the daemon until memory/block_size_bytes is readable through the mount
#   rss     the daemon's VmRSS right after start, and per block above the 1-block baseline
#   ls      `ls devices/system/memory | wc -l` (readdir of every block) and the daemon's RSS after
#   lsmem   `lsmem --sysroot` (opens state/removable/phys_index/valid_zones of every block)
# Not part of the test suite: it prints figures, it does not judge them.
#
# Figures (2-core VM, load average 3.6-7 from other builds, 32K blocks, LSMEM=no; ranges of 3
# runs interleaved with the tree before the block arenas, whose figures follow in parentheses):
#   blocks   start_s             rss_MiB        rss_B/block  ls_s
#   1        0.03-0.10           4.1            (baseline)   0.02-0.16
#   1048576  1.1-4.3 (2.5-9.4)   144.1 (388.2)  140 (384)    3.0-4.2
# The daemon's CPU time to the mount is 1.1-1.6 s (2.7-3.7 s).  bench-scale-engine (the core
# alone, no FUSE), same load: 1,048,576 blocks boot in 0.38-0.54 s with 72 bytes per block
# (engine) and in 0.86-1.12 s with 140 bytes per block (engine and pool; before: 168 and 384
# bytes, 2.07-2.51 s); 60,000 blocks of 128M take 0.3 s and 167 B/block (3.9 s and 8.5 KiB/block
# when the pool kept per-page bitmaps for free blocks).  perf: the start is now mostly the first
# touch of the block structures (page faults) and the pool's hash inserts.  lsmem's time is FUSE
# round trips (~66k opens and ~82k reads for 16,384 blocks, 65% of daemon CPU in kernel
# scheduling), the daemon's own code is ~2% of it.
set -u
DAEMON=${1:?usage: $0 DAEMON [BLOCKS...]}
shift
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1 65536 262144 1048576)
BLOCK_SIZE=${BLOCK_SIZE:-32K}
EXTRA=${EXTRA:-}
LSMEM=${LSMEM:-yes}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }

TMP=$(mktemp -d /tmp/mhpfs-bench.XXXXXX)
PID=
cleanup() {
	mountpoint -q $TMP/root/sys 2>/dev/null && fusermount3 -u $TMP/root/sys
	[ -n "$PID" ] && kill $PID 2>/dev/null && wait $PID 2>/dev/null
	rm -rf $TMP
}
trap cleanup EXIT
trap 'exit 1' INT TERM

bytes_of() { # SIZE with K/M/G suffix -> bytes
	numfmt --from=iec "$1"
}
now() { date +%s.%N; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/$1/status; }

bs=$(bytes_of $BLOCK_SIZE)
printf '%-9s %-9s %9s %10s %11s %9s %10s %9s\n' blocks size start_s rss_MiB rss_B/block ls_s \
	ls_rss_MiB lsmem_s
base_rss=
for n in "${SIZES[@]}"; do
	end=$((n * bs))
	mkdir -p $TMP/root/sys
	t0=$(now)
	"$DAEMON" -f --layout=sysfs --nodes=1 --cpus=1 --block-size=$BLOCK_SIZE --boot=0-$end@0 \
		--hotplug= --reserved= --phys-bits=52 $EXTRA $TMP/root/sys 2>$TMP/log &
	PID=$!
	until [ -r $TMP/root/sys/devices/system/memory/block_size_bytes ]; do
		if ! kill -0 $PID 2>/dev/null; then
			printf '%-9s %-9s failed: %s\n' $n $(numfmt --to=iec $end) "$(tail -1 $TMP/log)"
			PID=
			continue 2
		fi
		sleep 0.01
	done
	t1=$(now)
	rss=$(rss_kb $PID)
	[ -z "$base_rss" ] && base_rss=$rss
	per=$(((rss - base_rss) * 1024 / (n > 1 ? n - 1 : 1)))
	t2=$(now)
	count=$(ls $TMP/root/sys/devices/system/memory | grep -c '^memory[0-9]')
	t3=$(now)
	rss2=$(rss_kb $PID)
	[ "$LSMEM" = no ] || lsmem --sysroot $TMP/root --summary=only >$TMP/lsmem 2>&1 ||
		cat $TMP/lsmem >&2
	t4=$(now)
	[ "$count" = "$n" ] || echo "warning: ls shows $count blocks, expected $n" >&2
	printf '%-9s %-9s %9.3f %10.1f %11s %9.3f %10.1f %9.3f\n' $n $(numfmt --to=iec $end) \
		$(echo "$t1 - $t0" | bc) $(echo "$rss / 1024" | bc -l) $per \
		$(echo "$t3 - $t2" | bc) $(echo "$rss2 / 1024" | bc -l) $(echo "$t4 - $t3" | bc)
	fusermount3 -u $TMP/root/sys
	wait $PID
	PID=
done
