"""Time Quod Libet 4.x scanning a folder into a new library, headless.

python3 tests/bench/ql_scan.py DIR  (run with HOME pointing at an empty folder)

Uses Quod Libet's own library code, as its "Scan library" does: quodlibet.init_cli(), a fresh
SongFileLibrary, every step of library.scan([DIR]) (walk, then read each file's tags with
mutagen and add it), then library.save() (the song cache it keeps on disk).
Prints: `quodlibet FILES SCAN_SECONDS SAVE_SECONDS`.
"""
import os
import sys
import time

import quodlibet

quodlibet.init_cli()
import quodlibet.library  # noqa: E402 (after init_cli, which must come before Gtk)
path = os.path.abspath(sys.argv[1])
library = quodlibet.library.init()
started = time.perf_counter()
for _ in library.scan([path]):
    pass
scanned = time.perf_counter() - started
started = time.perf_counter()
library.save(os.path.join(os.environ["HOME"], "songs"))
saved = time.perf_counter() - started
print(f"quodlibet {len(library)} {scanned:.3f} {saved:.3f}")
