#!/bin/bash
# SPDX-License-Identifier: MIT
# The unit template and the daemon's side of it, without a running systemd:
#  - `systemd-analyze verify` accepts the template instantiated as memhotplugfs@mnt-mhp.service
#    (ExecStart pointed at the built daemon, since verify wants an existing executable);
#  - the unit's ExecStart, run as systemd would run it (NOTIFY_SOCKET, JOURNAL_STREAM, the
#    options of the example instance file), sends READY=1 only once the mount answers, tags its
#    lines with journal levels, sends STOPPING=1 and exits 0 on SIGTERM with nothing left mounted;
#  - with -o auto_unmount a SIGKILLed daemon leaves no dead mount behind (Restart=on-failure).
# Usage: test-systemd.sh DAEMON UNIT_TEMPLATE EXAMPLE_CONF CONFIGURED_UNIT
. "$(dirname "$0")/../fuse/lib.sh"
DAEMON=$(readlink -f "$DAEMON") # meson passes it relative to the build directory
TEMPLATE=$2
EXAMPLE=$3
CONFIGURED=$4
command -v systemd-analyze >/dev/null || skip "systemd-analyze (systemd) not installed"
command -v python3 >/dev/null || skip "python3 not installed"

# ---- the unit ----
U=$TMP/units/memhotplugfs@mnt-mhp.service
mkdir -p "$TMP/units"
sed "s|@bindir@/memhotplugfs|$DAEMON|" "$TEMPLATE" >"$U"
grep -q "^ExecStart=$DAEMON -f -o auto_unmount \$MEMHOTPLUGFS_OPTIONS %f\$" "$U" && pass ||
	fail "ExecStart not as expected: $(grep ^ExecStart= "$U")"
out=$(cd "$TMP/units" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$U" 2>&1)
rc=$?
expect_eq "systemd-analyze verify exit" 0 "$rc"
# verify reports unknown keys and bad values as warnings with exit 0: none may mention our unit
if grep -q 'memhotplugfs@' <<<"$out"; then fail "systemd-analyze verify: $out"; else pass; fi
# a key systemd does not know is caught, so the check above can fail
sed 's/^Type=notify$/Typo=notify/' "$U" >"$TMP/units/bad.service"
cp "$TMP/units/bad.service" "$TMP/units/memhotplugfs@bad.service"
out=$(cd "$TMP/units" && systemd-analyze verify --man=no "$TMP/units/memhotplugfs@bad.service" 2>&1)
grep -q "Unknown key 'Typo'" <<<"$out" && pass || fail "verify did not see a typo: $out"
# the installed unit is the template with the install path of the daemon
expect_eq "configured unit" "$(sed 's|@bindir@|BINDIR|' "$TEMPLATE")" \
	"$(sed -E 's|^ExecStart=/[^ ]*/memhotplugfs |ExecStart=BINDIR/memhotplugfs |' "$CONFIGURED")"
# what the unit needs of the daemon and of systemd
for kv in Type=notify "ExecStartPre=mkdir -p %f" "EnvironmentFile=-/etc/memhotplugfs/%i.conf" \
	Restart=on-failure KillMode=mixed "DeviceAllow=/dev/fuse rw" \
	"CapabilityBoundingSet=CAP_SYS_ADMIN" "RequiresMountsFor=%f"; do
	grep -qxF "$kv" "$U" && pass || fail "the unit lacks $kv"
done
# settings that would put the mount in a private mount namespace, invisible to the host
for k in ProtectSystem ProtectHome PrivateTmp PrivateDevices PrivateMounts PrivateIPC \
	PrivateNetwork ReadWritePaths ReadOnlyPaths InaccessiblePaths ProtectKernelTunables \
	ProtectKernelModules ProtectKernelLogs ProtectControlGroups ProtectProc ProcSubset \
	TemporaryFileSystem BindPaths BindReadOnlyPaths MountFlags RootDirectory; do
	grep -q "^$k=" "$U" && fail "$k= makes a private mount namespace: the mount would not be seen" || pass
done
# the instance name is the mount point, path-escaped
expect_eq "systemd-escape" "mnt-mhp" "$(systemd-escape --path /mnt/mhp)"

# ---- the daemon as the unit runs it ----
# systemd reads the example file as an EnvironmentFile; take MEMHOTPLUGFS_OPTIONS the same way
opts=$(sed -n 's/^MEMHOTPLUGFS_OPTIONS="\(.*\)"$/\1/p' "$EXAMPLE")
[ -n "$opts" ] && pass || fail "no MEMHOTPLUGFS_OPTIONS in $EXAMPLE"
MNT=$TMP/mnt/mhp
mkdir -p "$MNT"
cat >"$TMP/notify.py" <<'PY'
# notify.py LOG CMD...: run CMD as a Type=notify service; print what happened, in order
import os, signal, socket, subprocess, sys, time

log, cmd, mnt = sys.argv[1], sys.argv[2:], sys.argv[-1]
sockpath = os.path.join(os.path.dirname(log), "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sockpath)
s.settimeout(10)
err = open(log, "wb")
st = os.fstat(err.fileno())
env = dict(os.environ, NOTIFY_SOCKET=sockpath, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
def fstype():
    return subprocess.run(["stat", "-f", "-c", "%T", mnt], capture_output=True, text=True).stdout.strip()
try:
    msg = s.recv(4096).decode()
    print("first message:", msg.replace("\n", " "))
    print("mount at READY:", fstype())
    print("block size:", open(os.path.join(mnt, "devices/system/memory/block_size_bytes")).read().strip())
    print("nodes:", open(os.path.join(mnt, "devices/system/node/possible")).read().strip())
    p.send_signal(signal.SIGTERM)
    msg = s.recv(4096).decode()
    print("at SIGTERM:", msg.replace("\n", " "))
    print("exit:", p.wait(timeout=20))
    print("mount after exit:", "fuse" if fstype().startswith("fuse") else "gone")
except Exception as e:
    print("error:", repr(e))
    p.kill()
    p.wait()
PY
# shellcheck disable=SC2086 # the unit splits $MEMHOTPLUGFS_OPTIONS at white space, as here
out=$(python3 "$TMP/notify.py" "$TMP/journal.log" "$DAEMON" -f -o auto_unmount $opts "$MNT" 2>&1)
echo "$out"
expect_eq "READY=1" "first message: READY=1 STATUS=serving $MNT MAINPID=" \
	"$(grep '^first message' <<<"$out" | sed 's/MAINPID=[0-9]*$/MAINPID=/')"
expect_eq "mounted when READY=1 arrives" "mount at READY: fuseblk" "$(grep '^mount at READY' <<<"$out")"
expect_eq "example options applied" "block size: 8000000
nodes: 0-3" "$(grep -E '^(block size|nodes):' <<<"$out")"
expect_eq "STOPPING=1" "at SIGTERM: STOPPING=1 STATUS=unmounting" "$(grep '^at SIGTERM' <<<"$out")"
expect_eq "exit status after SIGTERM" "exit: 0" "$(grep '^exit' <<<"$out")"
expect_eq "unmounted" "mount after exit: gone" "$(grep '^mount after' <<<"$out")"
# stderr was "the journal": level prefixes instead of the program name
expect_eq "journal line" "<6>mounted at $MNT (sysfs layout); stop with: fusermount3 -u $MNT" \
	"$(grep 'mounted at' "$TMP/journal.log")"
grep -q '^memhotplugfs: ' "$TMP/journal.log" && fail "untagged lines: $(cat "$TMP/journal.log")" || pass

# ---- a crash: auto_unmount removes the mount, so a restart can mount again ----
"$DAEMON" -f -o auto_unmount "$MNT" 2>>"$TMP/daemon.log" &
pid=$!
PIDS+=("$pid")
MOUNTS+=("$MNT")
for i in $(seq 200); do
	case $(stat -f -c %T "$MNT") in fuse*) break ;; esac
	sleep 0.05
done
expect_eq "mounted again" fuseblk "$(stat -f -c %T "$MNT")"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
for i in $(seq 100); do
	mountpoint -q "$MNT" || break
	sleep 0.05
done
mountpoint -q "$MNT" && fail "a SIGKILLed daemon left its mount behind" || pass
mhp_finish
