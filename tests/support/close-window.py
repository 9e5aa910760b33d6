#!/usr/bin/python3
"""Ask the X window titled TITLE to close, as a window manager's close button does: a
WM_DELETE_WINDOW client message (the app decides what closing means). Exits 1 if no such
window is mapped.

    close-window.py TITLE
"""
import sys

from Xlib import X, display, protocol


def windows(d, window):
    yield window
    try:
        children = window.query_tree().children
    except Exception:  # the window vanished while we looked
        return
    for child in children:
        yield from windows(d, child)


def main():
    title = sys.argv[1]
    d = display.Display()
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    found = 0
    for window in windows(d, d.screen().root):
        try:
            if window.get_wm_name() != title:
                continue
            if window.get_attributes().map_state != X.IsViewable:
                continue
        except Exception:  # windows can vanish while we look
            continue
        event = protocol.event.ClientMessage(
            window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
        )
        window.send_event(event)
        found += 1
    d.flush()
    sys.exit(0 if found else 1)


main()
