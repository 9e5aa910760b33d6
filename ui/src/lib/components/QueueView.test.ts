import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import QueueView from './QueueView.svelte';
import type { QueueEntry, QueueView as Queue } from '../ipc';
import { player } from '../player.svelte';
import { queueViewOf, makeSnapshot, makeTrack, playingSnapshot, libraryOf } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

function songs(count: number) {
  return Array.from({ length: count }, (_, i) =>
    makeTrack({
      id: `local:q${i}`,
      title: `Song ${i}`,
      artists: i % 2 ? ['Alpha', 'Beta'] : ['Gamma'],
      album: i % 3 ? `Album ${i % 3}` : null,
      durationMs: 60_000 + i * 1000,
    }),
  );
}

/** A queue of `count` songs with entry ids 100, 101, …; `current` is an index. */
function queueOf(count: number, current: number | null = null): Queue {
  return queueViewOf(
    songs(count).map((track, i) => ({ entryId: 100 + i, track })),
    current,
  );
}

function load(queue: Queue) {
  const tracks = queue.window.map((e) => e.track);
  const base =
    queue.current === null ? makeSnapshot({ library: libraryOf(tracks) }) : playingSnapshot(tracks, queue.current);
  player.load({ ...base, queue });
}

function rows() {
  return screen.getAllByTestId('queue-row');
}

function row(entryId: number) {
  return rows().find((r) => r.dataset.entryId === String(entryId))!;
}

/** Answers `queue_rows` from `entries`, as the actor would. */
function answerRows(entries: readonly QueueEntry[]) {
  invokeMock.mockImplementation(async (cmd, args) => {
    if (cmd !== 'queue_rows') return undefined;
    const { start, end } = args as { start: number; end: number };
    return { start, count: entries.length, entries: entries.slice(start, end) };
  });
}

/** The queue after the actor moved `entryId` to `to`. */
function moved(queue: Queue, entryId: number, to: number): Queue {
  const entries = [...queue.window];
  const from = entries.findIndex((e) => e.entryId === entryId);
  const currentId = queue.current === null ? null : entries[queue.current]!.entryId;
  const [entry] = entries.splice(from, 1) as [QueueEntry];
  entries.splice(to, 0, entry);
  return queueViewOf(entries, currentId === null ? null : entries.findIndex((e) => e.entryId === currentId));
}

describe('QueueView', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('lists the entries with title, artists, album and duration', () => {
    load(queueOf(3));
    render(QueueView);
    expect(rows()).toHaveLength(3);
    const second = rows()[1]!;
    expect(second).toHaveAttribute('data-entry-id', '101');
    expect(within(second).getByTestId('queue-title')).toHaveTextContent('Song 1');
    expect(second).toHaveTextContent('Alpha, Beta');
    expect(second).toHaveTextContent('Album 1');
    expect(second).toHaveTextContent('1:01');
    expect(screen.getByTestId('queue-count')).toHaveTextContent('3 tracks');
    expect(screen.getByRole('listbox', { name: 'Queued tracks' })).toHaveAttribute('aria-multiselectable', 'true');
    expect(screen.queryByTestId('queue-empty')).toBeNull();
  });

  it('highlights the current entry, by index, even when its track is queued twice', () => {
    const three = queueOf(3, 2);
    const queue = queueViewOf([...three.window, { entryId: 200, track: three.window[2]!.track }], 2);
    load(queue);
    render(QueueView);
    const marked = rows().filter((r) => r.getAttribute('data-current') === 'true');
    expect(marked).toHaveLength(1);
    expect(marked[0]).toHaveAttribute('data-entry-id', '102');
    expect(marked[0]).toHaveAttribute('aria-current', 'true');
    expect(row(200)).not.toHaveAttribute('data-current');
  });

  it('follows queue events', () => {
    load(queueOf(3, 0));
    render(QueueView);
    expect(row(100)).toHaveAttribute('data-current', 'true');
    player.receive({ type: 'queue', payload: { ...queueOf(5), current: 4 } });
    flushSync();
    expect(rows()).toHaveLength(5);
    expect(row(104)).toHaveAttribute('data-current', 'true');
    expect(row(100)).not.toHaveAttribute('data-current');
  });

  it('plays an entry on double click, by entry id', async () => {
    load(queueOf(4, 0));
    render(QueueView);
    await fireEvent.dblClick(within(rows()[2]!).getByTestId('queue-title'));
    expect(invokeMock.mock.calls).toEqual([['play_queue_entry', { entry: 102 }]]);
  });

  it('plays the focused entry on Enter', async () => {
    load(queueOf(4));
    render(QueueView);
    rows()[0]!.focus();
    await fireEvent.keyDown(rows()[0]!, { key: 'ArrowDown' });
    await fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(invokeMock).toHaveBeenCalledWith('play_queue_entry', { entry: 101 });
  });

  it('removes an entry with its button, by entry id, without playing it', async () => {
    load(queueOf(3, 0));
    render(QueueView);
    const button = within(row(101)).getByTestId('queue-remove');
    expect(button).toHaveAccessibleName('Remove Song 1 from the queue');
    await fireEvent.click(button);
    await fireEvent.dblClick(button);
    expect(invokeMock.mock.calls).toEqual([['remove_from_queue', { entries: [101] }]]);
  });

  it('removes the focused entry with Delete, and the selection when it is part of it', async () => {
    load(queueOf(6));
    render(QueueView);
    await fireEvent.click(within(row(101)).getByTestId('queue-title'));
    row(101).focus();
    await fireEvent.keyDown(row(101), { key: 'Delete' });
    expect(invokeMock).toHaveBeenLastCalledWith('remove_from_queue', { entries: [101] });

    // Shift+click extends, Ctrl+click toggles.
    await fireEvent.click(within(row(103)).getByTestId('queue-title'), { shiftKey: true });
    await fireEvent.click(within(row(105)).getByTestId('queue-title'), { ctrlKey: true });
    await fireEvent.click(within(row(102)).getByTestId('queue-title'), { ctrlKey: true });
    const selected = rows().filter((r) => r.getAttribute('aria-selected') === 'true');
    expect(selected.map((r) => r.dataset.entryId)).toEqual(['101', '103', '105']);
    row(103).focus();
    await fireEvent.keyDown(row(103), { key: 'Backspace' });
    expect(invokeMock).toHaveBeenLastCalledWith('remove_from_queue', { entries: [101, 103, 105] });
  });

  it('puts focus on the successor once the focused entry is gone', async () => {
    const queue = queueOf(4);
    load(queue);
    render(QueueView);
    row(101).focus();
    await fireEvent.keyDown(row(101), { key: 'Delete' });
    expect(invokeMock).toHaveBeenLastCalledWith('remove_from_queue', { entries: [101] });
    player.receive({ type: 'queue', payload: queueViewOf(
        queue.window.filter((e) => e.entryId !== 101),
        null,
      ),
    });
    flushSync();
    await vi.waitFor(() => expect(document.activeElement).toHaveAttribute('data-entry-id', '102'));
    expect(rows()).toHaveLength(3);
  });

  it('extends the selection with Shift+arrows and selects all with Ctrl+A', async () => {
    load(queueOf(5));
    render(QueueView);
    await fireEvent.click(within(row(101)).getByTestId('queue-title'));
    row(101).focus();
    await fireEvent.keyDown(row(101), { key: 'ArrowDown', shiftKey: true });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', shiftKey: true });
    const selectedIds = () => rows().filter((r) => r.getAttribute('aria-selected') === 'true').map((r) => r.dataset.entryId);
    expect(selectedIds()).toEqual(['101', '102', '103']);
    expect(document.activeElement).toHaveAttribute('data-entry-id', '103');
    await fireEvent.keyDown(document.activeElement!, { key: 'a', ctrlKey: true });
    expect(selectedIds()).toHaveLength(5);
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(selectedIds()).toEqual([]);
    await fireEvent.keyDown(document.activeElement!, { key: 'Delete' });
    expect(invokeMock).toHaveBeenLastCalledWith('remove_from_queue', { entries: [103] });
  });

  it('moves the focused entry with Alt+Up / Alt+Down, and focus follows it', async () => {
    const queue = queueOf(4, 0);
    load(queue);
    render(QueueView);
    row(101).focus();
    await fireEvent.keyDown(row(101), { key: 'ArrowDown', altKey: true });
    expect(invokeMock).toHaveBeenLastCalledWith('move_in_queue', { entry: 101, to: 2 });

    // The actor answers with the new queue: the moved entry keeps focus in its new place.
    const after = moved(queue, 101, 2);
    player.receive({ type: 'queue', payload: after });
    flushSync();
    await vi.waitFor(() => expect(document.activeElement).toHaveAttribute('data-entry-id', '101'));
    expect(document.activeElement).toHaveAttribute('aria-posinset', '3');
    expect(screen.getByRole('status')).toHaveTextContent('Moved to position 3 of 4');

    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp', altKey: true });
    expect(invokeMock).toHaveBeenLastCalledWith('move_in_queue', { entry: 101, to: 1 });
  });

  it('builds on a move that is still on its way when Alt+Down is pressed again', async () => {
    load(queueOf(5));
    render(QueueView);
    row(100).focus();
    await fireEvent.keyDown(row(100), { key: 'ArrowDown', altKey: true });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', altKey: true });
    expect(invokeMock.mock.calls).toEqual([
      ['move_in_queue', { entry: 100, to: 1 }],
      ['move_in_queue', { entry: 100, to: 2 }],
    ]);
  });

  it('does not move past either end', async () => {
    load(queueOf(3));
    render(QueueView);
    row(100).focus();
    await fireEvent.keyDown(row(100), { key: 'ArrowUp', altKey: true });
    row(102).focus();
    await fireEvent.keyDown(row(102), { key: 'ArrowDown', altKey: true });
    expect(invokeMock).not.toHaveBeenCalled();
  });

  it('moves an entry by dragging it to another place', async () => {
    load(queueOf(6, 0));
    render(QueueView);
    // jsdom lays nothing out: the list's top is at 0, rows are 32px high.
    const source = within(row(100)).getByTestId('queue-title');
    await fireEvent.pointerDown(source, { pointerId: 1, button: 0, clientY: 10 });
    await fireEvent.pointerMove(source, { pointerId: 1, buttons: 1, clientY: 60 });
    await fireEvent.pointerMove(source, { pointerId: 1, buttons: 1, clientY: 100 });
    expect(screen.getByTestId('queue-drop-line')).toBeInTheDocument();
    expect(row(100)).toHaveClass('lifted');
    await fireEvent.pointerUp(source, { pointerId: 1, clientY: 100 });
    await fireEvent.click(source);
    // Dropped in the gap before row 3: the entry ends up at index 2.
    expect(invokeMock.mock.calls).toEqual([['move_in_queue', { entry: 100, to: 2 }]]);
    expect(screen.queryByTestId('queue-drop-line')).toBeNull();

    // Upwards: from index 4 to the gap before row 1.
    invokeMock.mockClear();
    const other = within(row(104)).getByTestId('queue-title');
    await fireEvent.pointerDown(other, { pointerId: 2, button: 0, clientY: 4 * 32 + 16 });
    await fireEvent.pointerMove(other, { pointerId: 2, buttons: 1, clientY: 40 });
    await fireEvent.pointerUp(other, { pointerId: 2, clientY: 40 });
    expect(invokeMock.mock.calls).toEqual([['move_in_queue', { entry: 104, to: 1 }]]);
  });

  it('ignores a press that does not travel, a drop in place, and a cancelled drag', async () => {
    load(queueOf(4));
    render(QueueView);
    const source = within(row(101)).getByTestId('queue-title');
    await fireEvent.pointerDown(source, { pointerId: 1, button: 0, clientY: 48 });
    await fireEvent.pointerMove(source, { pointerId: 1, buttons: 1, clientY: 50 });
    await fireEvent.pointerUp(source, { pointerId: 1, clientY: 50 });
    // Dragged, but dropped right next to where it was.
    await fireEvent.pointerDown(source, { pointerId: 2, button: 0, clientY: 48 });
    await fireEvent.pointerMove(source, { pointerId: 2, buttons: 1, clientY: 60 });
    expect(screen.queryByTestId('queue-drop-line')).toBeNull();
    await fireEvent.pointerUp(source, { pointerId: 2, clientY: 60 });
    // Escape while dragging.
    await fireEvent.pointerDown(source, { pointerId: 3, button: 0, clientY: 48 });
    await fireEvent.pointerMove(source, { pointerId: 3, buttons: 1, clientY: 120 });
    await fireEvent.keyDown(source, { key: 'Escape' });
    await fireEvent.pointerUp(source, { pointerId: 3, clientY: 120 });
    expect(invokeMock).not.toHaveBeenCalled();
  });

  it('has a context menu: play, play next, move, remove', async () => {
    load(queueOf(6, 1));
    render(QueueView);
    await fireEvent.contextMenu(within(row(104)).getByTestId('queue-title'), { clientX: 100, clientY: 100 });
    const menu = screen.getByRole('menu');
    expect(within(menu).getAllByRole('menuitem').map((b) => b.textContent?.trim())).toEqual([
      'Play',
      'Play next',
      'Move up',
      'Move down',
      'Remove from queue',
    ]);
    await fireEvent.click(within(menu).getByTestId('menu-play-next'));
    // Right after the current entry (index 1).
    expect(invokeMock).toHaveBeenLastCalledWith('move_in_queue', { entry: 104, to: 2 });
    expect(screen.queryByRole('menu')).toBeNull();

    await fireEvent.contextMenu(within(row(102)).getByTestId('queue-title'));
    await fireEvent.click(screen.getByTestId('menu-remove'));
    expect(invokeMock).toHaveBeenLastCalledWith('remove_from_queue', { entries: [102] });

    await fireEvent.contextMenu(within(row(100)).getByTestId('queue-title'));
    expect(screen.getByTestId('menu-move-up')).toBeDisabled();
    await fireEvent.click(screen.getByTestId('menu-play'));
    expect(invokeMock).toHaveBeenLastCalledWith('play_queue_entry', { entry: 100 });

    // In shuffle, the order of the queue is not the order of play: no "Play next" by moving.
    player.receive({ type: 'state', payload: { ...player.state!, mode: 'shuffle' } });
    flushSync();
    await fireEvent.contextMenu(within(row(104)).getByTestId('queue-title'));
    expect(screen.getByRole('menu')).toBeInTheDocument();
    expect(screen.queryByTestId('menu-play-next')).toBeNull();
  });

  it('keeps focus on an entry moved from the menu', async () => {
    const queue = queueOf(4);
    load(queue);
    render(QueueView);
    await fireEvent.contextMenu(within(row(102)).getByTestId('queue-title'));
    await fireEvent.click(screen.getByTestId('menu-move-up'));
    expect(invokeMock).toHaveBeenLastCalledWith('move_in_queue', { entry: 102, to: 1 });
    player.receive({ type: 'queue', payload: moved(queue, 102, 1) });
    flushSync();
    await vi.waitFor(() => expect(document.activeElement).toHaveAttribute('data-entry-id', '102'));
  });

  it('forgets a press whose button was released out of sight', async () => {
    load(queueOf(4));
    render(QueueView);
    const source = within(row(101)).getByTestId('queue-title');
    await fireEvent.pointerDown(source, { pointerId: 1, button: 0, clientY: 48 });
    await fireEvent.pointerMove(source, { pointerId: 1, buttons: 0, clientY: 120 });
    expect(screen.queryByTestId('queue-drop-line')).toBeNull();
    await fireEvent.pointerUp(source, { pointerId: 1, clientY: 120 });
    expect(invokeMock).not.toHaveBeenCalled();
  });

  it('opens the menu from the keyboard and acts on the whole selection', async () => {
    load(queueOf(5));
    render(QueueView);
    await fireEvent.click(within(row(101)).getByTestId('queue-title'));
    await fireEvent.click(within(row(102)).getByTestId('queue-title'), { shiftKey: true });
    row(102).focus();
    await fireEvent.keyDown(row(102), { key: 'F10', shiftKey: true });
    const items = within(screen.getByRole('menu')).getAllByRole('menuitem');
    expect(items.map((b) => b.textContent?.trim())).toEqual(['Remove 2 tracks from queue']);
    expect(document.activeElement).toBe(items[0]);
    await fireEvent.keyDown(items[0]!, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toHaveAttribute('data-entry-id', '102'));
  });

  it('clears the queue', async () => {
    load(queueOf(3, 0));
    render(QueueView);
    await fireEvent.click(screen.getByTestId('queue-clear'));
    expect(invokeMock.mock.calls).toEqual([['clear_queue']]);
  });

  it('shows an empty state, with nothing to clear', () => {
    player.load(makeSnapshot());
    render(QueueView);
    expect(screen.getByTestId('queue-empty')).toHaveTextContent('The queue is empty');
    expect(screen.queryAllByTestId('queue-row')).toHaveLength(0);
    expect(screen.getByTestId('queue-clear')).toBeDisabled();
    expect(screen.queryByTestId('queue-count')).toBeNull();
  });

  it('renders hostile metadata as literal text', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const track = makeTrack({ title: hostile, artists: ['<script>alert(1)</script>'] });
    player.load(makeSnapshot({ queue: queueViewOf([{ entryId: 1, track }], null) }));
    const { container } = render(QueueView);
    expect(screen.getByTestId('queue-title').textContent).toBe(hostile);
    expect(container.querySelector('img, script')).toBeNull();
  });

  it('renders only a window of a long queue, opened at the current entry', () => {
    const long = queueOf(5000, 4000);
    answerRows(long.window);
    load(long);
    render(QueueView);
    const rendered = rows();
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(100);
    expect(rendered[0]).toHaveAttribute('aria-setsize', '5000');
    expect(row(4100)).toHaveAttribute('data-current', 'true');
    expect(row(4100)).toHaveAttribute('tabindex', '0');
  });

  it('is told every id of a long queue but only a window of tracks, and fetches the rows it shows', async () => {
    const all = songs(5000).map((track, i) => ({ entryId: 100 + i, track }));
    const queue = queueViewOf(all, 4000);
    expect(queue.entryRuns).toEqual([[100, 5000]]);
    expect(queue.window.length).toBe(128);
    answerRows(all);
    load(queue);
    render(QueueView);
    expect(row(4100)).toHaveAttribute('data-current', 'true');
    expect(within(row(4100)).getByTestId('queue-title')).toHaveTextContent('Song 4000');
    const list = screen.getByTestId('queue-list');
    // Scrolled to rows nobody has asked for: fetched, a page at a time, and drawn once they are
    // here, in the elements of the rows that left (the rows before are held meanwhile).
    const elements = new Set(rows());
    const pendingShown: number[] = [];
    const watch = new MutationObserver(() => pendingShown.push(screen.queryAllByTestId('queue-row-pending').length));
    watch.observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-testid'] });
    list.scrollTop = 2000 * 32;
    list.dispatchEvent(new Event('scroll'));
    flushSync();
    await vi.waitFor(() => expect(row(2100)).toHaveAttribute('data-track-id'));
    watch.disconnect();
    expect(pendingShown.every((n) => n === 0)).toBe(true);
    expect(rows().filter((element) => elements.has(element)).length).toBeGreaterThan(10);
    expect(within(row(2100)).getByTestId('queue-title')).toHaveTextContent('Song 2000');
    const asked = invokeMock.mock.calls.filter(([cmd]) => cmd === 'queue_rows').map(([, args]) => args);
    expect(asked).toContainEqual({ start: 1984, end: 2048 });
    expect(asked.every((a) => (a as { end: number; start: number }).end - (a as { start: number }).start <= 64)).toBe(true);

    // Back at the top, then an entry from near the current one moved up there: the ids say it
    // at once, and its track, kept by entry id, needs no fetch.
    list.scrollTop = 0;
    await fireEvent.scroll(list);
    await vi.waitFor(() => expect(screen.queryAllByTestId('queue-row-pending')).toHaveLength(0));
    const calls = invokeMock.mock.calls.length;
    const reordered = [...all];
    const [far] = reordered.splice(4050, 1);
    reordered.splice(1, 0, far!);
    player.receive({ type: 'queue', payload: queueViewOf(reordered, 4001) });
    flushSync();
    expect(rows()[1]).toHaveAttribute('data-entry-id', '4150');
    expect(within(rows()[1]!).getByTestId('queue-title')).toHaveTextContent('Song 4050');
    expect(invokeMock.mock.calls.slice(calls).filter(([cmd]) => cmd === 'queue_rows')).toHaveLength(0);
  });
});
