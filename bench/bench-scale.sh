#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/bench-scale.sh - how long the daemon takes to give a usable mount, and how much memory it
# keeps per memory block, for machines of 1 (the baseline) up to N blocks (default 1,048,576).
#
# usage: bench/bench-scale.sh DAEMON [BLOCKS...]     (root, /dev/fuse)
#   env BLOCK_SIZE=32K   block size of the machines (default 32K: the smallest, so that 1M blocks
#                        is 32 GiB and the page pool's per-page metadata stays small)
#   env EXTRA="..."      more daemon options
#
# For each machine: one node, boot memory [0, BLOCKS * BLOCK_SIZE), all online.  Measured:
#   start   exec of the daemon until memory/block_size_bytes is readable through the mount
#   rss     the daemon's VmRSS right after start, and per block above the 1-block baseline
#   ls      `ls devices/system/memory | wc -l` (readdir of every block) and the daemon's RSS after
#   lsmem   `lsmem --sysroot` (opens state/removable/phys_index/valid_zones of every block)
# Not part of the test suite: it prints figures, it does not judge them.
#
# Figures (2-core VM, load average ~6 from other builds, 32K blocks, daemon with --no-inotify):
#   blocks   start_s  rss_MiB  rss_B/block  ls_s   lsmem_s
#   1        0.21     4.1      (baseline)   0.16   0.33
#   16384    1.41     10.1     380          0.27   13.5
#   32768    2.27     16.2     385          0.41   31.1
#   60000    2.07     26.2     385          0.42   50.7
#   65536    fails: ENOMEM  (the page pool maps every online block separately; vm.max_map_count
#                            is 65530 mappings, so about 65,000 online blocks is the ceiling)
#   1048576  fails: ENOMEM  (same)
# bench-scale-engine (the core alone, no FUSE): 1,048,576 blocks boot in 1.1 s idle (2.1-3.4 s
# under that load) with 168 bytes per block; with the pool, 60,000 blocks of 32K take 2.1 s and
# 382 B/block, 60,000 blocks of 128M take 7.6 s and 8.5 KiB/block (per-page bitmaps).  perf: ~75%
# of the daemon's start is mmap/munmap of the pool's per-block mappings (done twice: the daemon
# builds a throw-away engine to validate the machine before mounting); lsmem's time is FUSE round
# trips (~66k opens and ~82k reads for 16,384 blocks, 65% of daemon CPU in kernel scheduling),
# the daemon's own code is ~2% of it.
set -u
DAEMON=${1:?usage: $0 DAEMON [BLOCKS...]}
shift
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1 65536 262144 1048576)
BLOCK_SIZE=${BLOCK_SIZE:-32K}
EXTRA=${EXTRA:-}
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
	lsmem --sysroot $TMP/root --summary=only >$TMP/lsmem 2>&1 || cat $TMP/lsmem >&2
	t4=$(now)
	[ "$count" = "$n" ] || echo "warning: ls shows $count blocks, expected $n" >&2
	printf '%-9s %-9s %9.3f %10.1f %11s %9.3f %10.1f %9.3f\n' $n $(numfmt --to=iec $end) \
		$(echo "$t1 - $t0" | bc) $(echo "$rss / 1024" | bc -l) $per \
		$(echo "$t3 - $t2" | bc) $(echo "$rss2 / 1024" | bc -l) $(echo "$t4 - $t3" | bc)
	fusermount3 -u $TMP/root/sys
	wait $PID
	PID=
done
