#!/usr/bin/python3
"""Hold a global key grab (as another app's shortcut would) until killed: Ctrl+Alt+KEY on the
root window, with and without NumLock, as X11 hotkey libraries grab them.

    grab-key.py KEY        e.g. grab-key.py p
"""
import signal
import sys
import time

from Xlib import X, XK, display


def main():
    d = display.Display()
    root = d.screen().root
    keycode = d.keysym_to_keycode(XK.string_to_keysym(sys.argv[1]))
    for extra in (0, X.Mod2Mask, X.LockMask, X.Mod2Mask | X.LockMask):
        root.grab_key(keycode, X.ControlMask | X.Mod1Mask | extra, True, X.GrabModeAsync, X.GrabModeAsync)
    d.sync()
    print("grabbed", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(1)


main()
