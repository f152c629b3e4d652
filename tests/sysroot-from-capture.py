#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build a plain-file system root from a sysfs capture, for seeding tests and lsmem --sysroot.

usage: sysroot-from-capture.py CAPTURE DESTDIR

CAPTURE is a file in the format of /work/shared/reference/sysfs-linux-*.txt:
  d MODE PATH                          a directory
  f MODE PATH size=N = CONTENT         a file; CONTENT has its newlines written as \\n and the
                                       final newline dropped; "cat: ...: <error>" means the read
                                       failed (the file is created empty)
  l MODE PATH -> TARGET                a symbolic link
  # block list: ID ID ...              every memory block of the system
  memoryN STATE ZONES PHYS_INDEX       one line per block (the capture details only a few blocks
                                       file by file; the others are made like them from this line)

The tree goes to DESTDIR/sys/...; DESTDIR must not exist yet or be empty.  Nothing outside DESTDIR
is touched.
"""
import os
import re
import sys


def content_of(raw):
    if raw.startswith("cat: "):
        return None  # the read failed on the source
    text = raw.replace("\\n", "\n")
    # attribute files end with a newline; "uevent" files (and nothing else captured) are empty
    return text + "\n" if text else ""


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    capture, dest = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(dest, exist_ok=True)
    if os.listdir(dest):
        sys.exit(f"{dest} is not empty")

    def out(path):
        if not path.startswith("/sys/") or "/../" in path or path.endswith("/.."):
            sys.exit(f"refusing path {path!r}")
        return dest + path

    blocks = {}  # id -> (state, zones, phys_index)
    entries = []
    with open(capture, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^memory(\d+) (\S+) (\S+) ([0-9a-f]+)$", line)
            if m:
                blocks[int(m.group(1))] = (m.group(2), m.group(3), m.group(4))
                continue
            entries.append(line)

    files = {}
    for line in entries:
        kind, mode, rest = line.split(" ", 2)
        if kind == "d":
            os.makedirs(out(rest), exist_ok=True)
            os.chmod(out(rest), int(mode, 8))
        elif kind == "l":
            path, target = rest.split(" -> ", 1)
            os.makedirs(os.path.dirname(out(path)), exist_ok=True)
            os.symlink(target, out(path))
        elif kind == "f":
            m = re.match(r"^(\S+) size=\d+ = ?(.*)$", rest)
            if not m:
                sys.exit(f"bad line: {line}")
            files[m.group(1)] = (int(mode, 8), content_of(m.group(2)))
        else:
            sys.exit(f"bad line: {line}")

    # every block the summary lists, shaped like the blocks the capture details
    mem = "/sys/devices/system/memory"
    for bid, (state, zones, index) in sorted(blocks.items()):
        d = f"{mem}/memory{bid}"
        os.makedirs(out(d + "/power"), exist_ok=True)
        per_block = {
            "online": "1" if state == "online" else "0",
            "phys_device": "0",
            "phys_index": index,
            "removable": "1",
            "state": state,
            "valid_zones": zones,
        }
        for name, value in per_block.items():
            mode = files.get(f"{mem}/memory0/{name}", (0o444, None))[0]
            files[f"{d}/{name}"] = (mode, value + "\n")
        files.setdefault(f"{d}/uevent", (0o644, ""))
        for link, target in ((f"{d}/node0", "../../node/node0"),
                             (f"{d}/subsystem", "../../../../bus/memory"),
                             (f"/sys/devices/system/node/node0/memory{bid}",
                              f"../../memory/memory{bid}"),
                             (f"/sys/bus/memory/devices/memory{bid}",
                              f"../../../devices/system/memory/memory{bid}")):
            if not os.path.lexists(out(link)):
                os.makedirs(os.path.dirname(out(link)), exist_ok=True)
                os.symlink(target, out(link))

    for path, (mode, text) in sorted(files.items()):
        os.makedirs(os.path.dirname(out(path)), exist_ok=True)
        with open(out(path), "w", encoding="utf-8") as f:
            f.write(text or "")
        os.chmod(out(path), mode)


if __name__ == "__main__":
    main()
