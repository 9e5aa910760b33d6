#!/usr/bin/env python3
"""Which code of a running binary is resident, by crate (issue #19: the app's binary).

    tests/bench/code-pages.py PID [BINARY]     (as root: reads /proc/PID/pagemap)
    TOP=N                                      rows to print (default 30)

Reads the executable mapping of BINARY (default /proc/PID/exe) in the process, asks pagemap
which of its pages are present, and lays the binary's symbols (`nm -C -S`) over them: for
each crate (the first `name::` of a symbol's demangled name), the bytes of its code and how
many pages hold any of it. A page holding several crates' code counts for each, so the page
column adds up to more than the mapping. Prints Markdown.
"""
import os
import re
import struct
import subprocess
import sys
from collections import defaultdict

PAGE = os.sysconf("SC_PAGE_SIZE")
CRATE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)::")


def exec_mapping(pid, binary):
    real = os.path.realpath(binary)
    for line in open(f"/proc/{pid}/maps"):
        fields = line.split()
        if len(fields) >= 6 and "x" in fields[1] and os.path.realpath(fields[5]) == real:
            start, end = (int(x, 16) for x in fields[0].split("-"))
            return start, end, int(fields[2], 16)
    sys.exit(f"no executable mapping of {binary} in {pid}")


def present_pages(pid, start, end):
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        pagemap.seek(start // PAGE * 8)
        data = pagemap.read((end - start) // PAGE * 8)
    return {
        start + i * PAGE
        for i in range(len(data) // 8)
        if struct.unpack_from("<Q", data, i * 8)[0] >> 63
    }


def text_vaddr_offset(binary):
    """The first executable LOAD segment's (vaddr - file offset), to turn symbols into offsets."""
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if fields and fields[0] == "LOAD" and "E" in fields[-2]:
            return int(fields[2], 16) - int(fields[1], 16)
    return 0


def crate_of(name):
    name = name.lstrip("<&*").replace("dyn ", "").replace("mut ", "")
    match = CRATE.match(name)
    if match:
        return match.group(1)
    return "(C or unnamed)"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    pid = int(sys.argv[1])
    binary = sys.argv[2] if len(sys.argv) > 2 else os.readlink(f"/proc/{pid}/exe")
    start, end, offset = exec_mapping(pid, binary)
    present = present_pages(pid, start, end)
    delta = text_vaddr_offset(binary)
    nm = subprocess.run(["nm", "-C", "-S", "--defined-only", binary], capture_output=True, text=True, check=True)
    size = defaultdict(int)
    pages = defaultdict(set)
    for line in nm.stdout.splitlines():
        parts = line.split(" ", 3)
        if len(parts) < 4 or parts[2] not in "tTwW":
            continue
        vaddr, length = int(parts[0], 16), int(parts[1], 16)
        crate = crate_of(parts[3])
        size[crate] += length
        file_offset = vaddr - delta
        first = start + (file_offset - offset)
        for page in range(first // PAGE * PAGE, first + max(length, 1), PAGE):
            if page in present:
                pages[crate].add(page)
    top = int(os.environ.get("TOP", "30"))
    mapped = (end - start) // PAGE
    print(f"executable mapping: {mapped * PAGE / 2**20:.1f} MiB, resident {len(present) * PAGE / 2**20:.1f} MiB")
    print()
    print("| crate | code (KiB) | resident pages holding it (KiB) |")
    print("|---|---:|---:|")
    for crate in sorted(size, key=lambda c: -len(pages[c]))[:top]:
        print(f"| {crate} | {size[crate] / 1024:.0f} | {len(pages[crate]) * PAGE / 1024:.0f} |")


if __name__ == "__main__":
    main()
