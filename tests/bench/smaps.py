#!/usr/bin/env python3
"""Where a process tree's memory is: PSS by mapping, from /proc/<pid>/smaps (issue #19).

    tests/bench/smaps.py PID [PID...]        one column per PID's tree (the PID and its children)
    tests/bench/smaps.py save PID NAME > F   one tree's sizes as JSON, to compare trees that
                                             did not run at the same time (shared pages split
                                             their PSS between processes that map them)
    tests/bench/smaps.py table F [F...]      the saved trees side by side
    TOP=N                                    rows to print (default 25)

Rows are "process: mapping", where a mapping is a file's name with its kind (code for
executable mappings, data for the rest) or the kernel's name ([heap], [stack], anonymous).
Processes of a tree are named by /proc/<pid>/comm, so the app and WebKit's web process of two
trees line up in one table. Prints Markdown.
"""
import json
import os
import sys
from collections import defaultdict


def descendants(pid):
    out = [pid]
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except OSError:
        children = []
    for child in children:
        out.extend(descendants(int(child)))
    return out


def comm(pid):
    try:
        return open(f"/proc/{pid}/comm").read().strip()
    except OSError:
        return "gone"


def mappings(pid):
    """PSS in KiB by mapping name for one process."""
    sizes = defaultdict(int)
    name = None
    try:
        lines = open(f"/proc/{pid}/smaps").read().splitlines()
    except OSError:
        return sizes
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
            perms = fields[1]
            path = " ".join(fields[5:]) if len(fields) > 5 else ""
            if path.startswith("/"):
                base = os.path.basename(path)
                if base.startswith("memfd:") or "(deleted)" in path:
                    base = path
                kind = "code" if "x" in perms else "data"
                name = f"{base} ({kind})"
            elif path:
                name = path
            else:
                name = "anonymous"
        elif fields[0] == "Pss:" and name is not None:
            sizes[name] += int(fields[1])
    return sizes


def tree(root):
    sizes = defaultdict(int)
    for pid in descendants(root):
        proc = comm(pid)
        for name, kib in mappings(pid).items():
            sizes[f"{proc}: {name}"] += kib
            sizes[f"{proc}: (all)"] += kib
            sizes["(tree)"] += kib
    return sizes


def table(columns):
    """Markdown: one row per mapping, one column per (name, sizes) tree."""
    keys = set().union(*(sizes for _, sizes in columns))
    top = int(os.environ.get("TOP", "25"))
    ranked = sorted(keys, key=lambda k: -max(sizes.get(k, 0) for _, sizes in columns))[:top]
    print("| mapping (PSS, MiB) | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for key in ranked:
        cells = " | ".join(f"{sizes.get(key, 0) / 1024:.1f}" for _, sizes in columns)
        print(f"| {key} | {cells} |")


def main():
    args = sys.argv[1:]
    if args[:1] == ["save"] and len(args) == 3:
        json.dump({"name": args[2], "sizes": tree(int(args[1]))}, sys.stdout)
    elif args[:1] == ["table"] and len(args) > 1:
        saved = [json.load(open(path)) for path in args[1:]]
        table([(s["name"], s["sizes"]) for s in saved])
    elif args and all(a.isdigit() for a in args):
        table([(f"{comm(int(a))} ({a})", tree(int(a))) for a in args])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
