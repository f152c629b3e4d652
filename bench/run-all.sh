#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run-all.sh - run every benchmark of memhotplugfs, one after the other, and list the targets.
#
#   bash bench/run-all.sh [BUILD_DIR] [--quick]
#
# BUILD_DIR defaults to build/ (configure it with --buildtype=release for figures worth quoting).
# Needs root and /dev/fuse (the benchmarks mount daemons; everything they mount is unmounted and
# every daemon they start is stopped, also on Ctrl-C).  --quick runs fewer rounds and a smaller
# lsmem tree (16,384 blocks), for a smoke test.  MEMHOTPLUGFS=PATH benchmarks another daemon
# binary (e.g. an older build) with the same programs.
#
# Each program prints its figure, the baseline measured in the same run and their ratio (medians of
# several rounds, with the spread); exit status 3 means a target was missed, which this script
# reports without stopping.  It exits non-zero only when a benchmark could not run.
set -u

build=build
quick=0
for a in "$@"; do
	case $a in
	--quick) quick=1 ;;
	-h | --help)
		sed -n '3,15p' "$0"
		exit 0
		;;
	*) build=$a ;;
	esac
done
bench=$build/bench
[ -x "$bench/bench-attr-read" ] || {
	echo "run-all: no $bench/bench-attr-read: build first (ninja -C $build)" >&2
	exit 1
}
if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
	echo "run-all: needs root and /dev/fuse" >&2
	exit 1
fi

if [ $quick = 1 ]; then
	runs=(
		"bench-attr-read -r 5 -n 500"
		"bench-transitions -r 5 -n 200"
		"bench-lsmem -r 1 -b 16384"
		"bench-instances -n 10 -s 3"
		"bench-migrate 2"
	)
else
	runs=(
		"bench-attr-read -r 11 -n 2000"
		"bench-transitions -r 9 -n 1000"
		"bench-lsmem -r 3"
		"bench-instances -n 50 -s 10"
		"bench-migrate 5"
	)
fi
# Benchmarks other issues add (start-up and memory of 1,048,576 blocks): run with their defaults.
for extra in "$bench"/bench-scale*; do
	[ -x "$extra" ] && runs+=("$(basename "$extra")")
done

declare -A status
failed=0
for r in "${runs[@]}"; do
	prog=${r%% *}
	if [ ! -x "$bench/$prog" ]; then
		echo "==== $prog: not built, skipped"
		status[$prog]="not built"
		continue
	fi
	echo "==== $r"
	# shellcheck disable=SC2086 # the options are words
	"$bench"/$r
	rc=$?
	case $rc in
	0) status[$prog]="ok" ;;
	3) status[$prog]="TARGET MISSED" ;;
	*)
		status[$prog]="FAILED (exit $rc)"
		failed=1
		;;
	esac
	echo
done

echo "==== summary"
for r in "${runs[@]}"; do
	prog=${r%% *}
	printf '%-20s %s\n' "$prog" "${status[$prog]}"
done
exit $failed
