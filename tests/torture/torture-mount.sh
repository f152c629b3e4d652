#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/torture/torture-mount.sh DAEMON TORTURE_FS - torture a real mount (sysfs layout) for
# MHP_TORTURE_SECONDS (default 10), check what it shows at rest, then unmount and require the
# daemon to exit cleanly (status 0: under AddressSanitizer that is also "no leak").
source "$(dirname "$0")/../fuse/lib.sh" "$1" "$2"
TORTURE_FS=$2
SECONDS_RUN=${MHP_TORTURE_SECONDS:-10}

mhp_mount "$TMP/sys" --layout=sysfs
# an outer limit on top of torture-fs's own watchdog: a hang in open() of a dead mount, say
timeout -k 5 $((SECONDS_RUN + 60)) "$TORTURE_FS" "$TMP/sys" "$SECONDS_RUN"
rc=$?
case $rc in
0) pass ;;
2) fail "torture-fs: hang (watchdog)" ;;
124 | 137) fail "torture-fs: killed by the outer timeout (hang)" ;;
*) fail "torture-fs exited with $rc" ;;
esac

mhp_umount "$TMP/sys"
expect_eq "daemon exit status after unmount" 0 $?
if grep -q "ERROR: AddressSanitizer\|runtime error:\|ThreadSanitizer" "$TMP/daemon.log"; then
	fail "sanitizer report from the daemon:"
	cat "$TMP/daemon.log" >&2
fi
mhp_finish
