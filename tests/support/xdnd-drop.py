#!/usr/bin/python3
"""Drop files onto the X window titled TITLE, as a file manager does: a real XDND (version 5)
exchange from a window of our own — XdndEnter, XdndPosition (in the middle of the window),
XdndStatus back, XdndDrop, the text/uri-list answered through the XdndSelection, and
XdndFinished back. Exits 1 if there is no such window, 2 if it refuses the drop or never
finishes it.

    xdnd-drop.py TITLE PATH...
"""
import sys
import time
import urllib.parse

from Xlib import X, Xatom, display, protocol


def windows(window):
    yield window
    for child in window.query_tree().children:
        yield from windows(child)


def find_target(d, title):
    """The mapped window titled `title` that says it takes drops (XdndAware)."""
    aware = d.intern_atom('XdndAware')
    for window in windows(d.screen().root):
        try:
            if window.get_wm_name() != title:
                continue
            if window.get_attributes().map_state != X.IsViewable:
                continue
            if window.get_full_property(aware, X.AnyPropertyType) is not None:
                return window
        except Exception:  # a window that went away meanwhile
            continue
    return None


def send(d, target, kind, data):
    event = protocol.event.ClientMessage(window=target, client_type=d.intern_atom(kind), data=(32, data))
    target.send_event(event, event_mask=X.NoEventMask)
    d.flush()


def wait_for(d, kinds, timeout, on_event):
    """Handle events until a ClientMessage of one of `kinds` comes; return it (or None)."""
    wanted = {d.intern_atom(k): k for k in kinds}
    deadline = time.time() + timeout
    while time.time() < deadline:
        while d.pending_events():
            event = d.next_event()
            if event.type == X.ClientMessage and event.client_type in wanted:
                return wanted[event.client_type], event
            on_event(event)
        time.sleep(0.01)
    return None, None


def main():
    title, paths = sys.argv[1], sys.argv[2:]
    d = display.Display()
    target = find_target(d, title)
    if target is None:
        print(f'no XdndAware window titled {title!r}', file=sys.stderr)
        return 1
    uri_list = d.intern_atom('text/uri-list')
    selection = d.intern_atom('XdndSelection')
    copy = d.intern_atom('XdndActionCopy')
    payload = ''.join('file://' + urllib.parse.quote(p) + '\r\n' for p in paths).encode()

    source = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
    source.set_selection_owner(selection, X.CurrentTime)
    d.flush()

    def answer(event):
        """Give the dropped URIs to whoever asks for the XdndSelection."""
        if event.type != X.SelectionRequest or event.selection != selection:
            return
        prop = event.property or event.target
        if event.target == uri_list:
            event.requestor.change_property(prop, uri_list, 8, payload)
        else:
            prop = X.NONE
        notify = protocol.event.SelectionNotify(
            time=event.time, requestor=event.requestor, selection=event.selection,
            target=event.target, property=prop)
        event.requestor.send_event(notify)
        d.flush()

    geometry = target.get_geometry()
    origin = target.translate_coords(d.screen().root, 0, 0)
    # translate_coords(root, 0, 0) gives root's origin in the target: negate for the reverse.
    x = -origin.x + geometry.width // 2
    y = -origin.y + geometry.height // 2
    send(d, target, 'XdndEnter', [source.id, 5 << 24, uri_list, 0, 0])
    send(d, target, 'XdndPosition', [source.id, 0, (x << 16) | y, X.CurrentTime, copy])
    kind, status = wait_for(d, ['XdndStatus'], 5, answer)
    if status is None or not status.data[1][1] & 1:
        print(f'the window did not accept the drop ({kind})', file=sys.stderr)
        send(d, target, 'XdndLeave', [source.id, 0, 0, 0, 0])
        return 2
    send(d, target, 'XdndDrop', [source.id, 0, X.CurrentTime, 0, 0])
    kind, _ = wait_for(d, ['XdndFinished'], 10, answer)
    if kind is None:
        print('the drop was never finished', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
