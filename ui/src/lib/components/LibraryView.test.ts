import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import LibraryView from './LibraryView.svelte';
import { player } from '../player.svelte';
import { makeSnapshot, makeState, makeTrack, playingSnapshot, libraryOf, libraryReads } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

function library(count: number) {
  return Array.from({ length: count }, (_, i) =>
    makeTrack({
      id: `local:t${i}`,
      title: `Song ${i}`,
      artists: i % 2 ? ['Alpha', 'Beta'] : ['Gamma'],
      album: i % 3 ? `Album ${i % 3}` : null,
      durationMs: 60_000 + i * 1000,
    }),
  );
}

function rows() {
  return screen.getAllByTestId('track-row');
}

describe('LibraryView', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    // The library's rows past the first 64 come from the (fake) actor; nothing else answers.
    invokeMock.mockImplementation((cmd, args) => libraryReads(cmd, args) ?? Promise.resolve(undefined));
  });

  it('lists title, artists, album and duration', () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    expect(rows()).toHaveLength(3);
    const second = rows()[1]!;
    expect(second).toHaveAttribute('data-track-id', 'local:t1');
    expect(within(second).getByTestId('track-title')).toHaveTextContent('Song 1');
    expect(second).toHaveTextContent('Alpha, Beta');
    expect(second).toHaveTextContent('Album 1');
    expect(second).toHaveTextContent('1:01');
    expect(screen.getByText('3 tracks')).toBeInTheDocument();
  });

  it('marks the playing track', () => {
    const tracks = library(4);
    player.load(playingSnapshot(tracks, 2));
    render(LibraryView);
    const playing = rows().filter((r) => r.getAttribute('data-playing') === 'true');
    expect(playing).toHaveLength(1);
    expect(playing[0]).toHaveAttribute('data-track-id', 'local:t2');
    expect(rows()[0]).not.toHaveAttribute('data-playing');
  });

  it('plays a track on double click', async () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    await fireEvent.dblClick(within(rows()[1]!).getByTestId('track-title'));
    expect(invokeMock).toHaveBeenCalledWith('play_library_track', { id: 'local:t1' });
    expect(invokeMock).toHaveBeenCalledTimes(1);
  });

  it('plays a track with its play button, once even on double click', async () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    const button = within(rows()[2]!).getByRole('button', { name: 'Play Song 2' });
    await fireEvent.click(button);
    await fireEvent.dblClick(button);
    expect(invokeMock.mock.calls).toEqual([['play_library_track', { id: 'local:t2' }]]);
  });

  it('queues a track next or at the end from its row buttons, without playing it', async () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    const row = rows()[1]!;
    const playNext = within(row).getByTestId('track-play-next');
    const addToQueue = within(row).getByTestId('track-add-to-queue');
    expect(playNext).toHaveAccessibleName('Play Song 1 next');
    expect(addToQueue).toHaveAccessibleName('Add Song 1 to the queue');
    await fireEvent.click(playNext);
    await fireEvent.dblClick(playNext);
    await fireEvent.click(addToQueue);
    await fireEvent.dblClick(addToQueue);
    expect(invokeMock.mock.calls).toEqual([
      ['enqueue', { ids: ['local:t1'], position: 'next' }],
      ['enqueue', { ids: ['local:t1'], position: 'end' }],
    ]);
  });

  it('has a context menu with play, play next and add to queue', async () => {
    const tracks = library(4);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    await fireEvent.contextMenu(within(rows()[2]!).getByTestId('track-title'), { clientX: 50, clientY: 60 });
    const menu = screen.getByRole('menu', { name: 'Actions for Song 2' });
    expect(within(menu).getAllByRole('menuitem').map((b) => b.textContent?.trim())).toEqual([
      'Play',
      'Play next',
      'Add to queue',
      'Add to playlist',
    ]);
    await fireEvent.click(within(menu).getByTestId('menu-add-to-queue'));
    expect(screen.queryByRole('menu')).toBeNull();
    await fireEvent.contextMenu(within(rows()[0]!).getByTestId('track-title'));
    await fireEvent.click(screen.getByTestId('menu-play-next'));
    await fireEvent.contextMenu(within(rows()[3]!).getByTestId('track-title'));
    await fireEvent.click(screen.getByTestId('menu-play'));
    expect(invokeMock.mock.calls).toEqual([
      ['enqueue', { ids: ['local:t2'], position: 'end' }],
      ['enqueue', { ids: ['local:t0'], position: 'next' }],
      ['play_library_track', { id: 'local:t3' }],
    ]);
  });

  it('opens the context menu from the keyboard; arrows, Enter and Escape work in it', async () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    rows()[1]!.focus();
    await fireEvent.keyDown(rows()[1]!, { key: 'ContextMenu' });
    let items = within(screen.getByRole('menu')).getAllByRole('menuitem');
    expect(document.activeElement).toBe(items[0]);
    await fireEvent.keyDown(items[0]!, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t1'));
    expect(invokeMock).not.toHaveBeenCalled();

    await fireEvent.keyDown(document.activeElement!, { key: 'F10', shiftKey: true });
    items = within(screen.getByRole('menu')).getAllByRole('menuitem');
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1]);
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[3]);
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[2]);
    await fireEvent.click(document.activeElement!);
    expect(invokeMock.mock.calls).toEqual([['enqueue', { ids: ['local:t1'], position: 'end' }]]);
  });

  it('closes the context menu on a click elsewhere', async () => {
    const tracks = library(3);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    await fireEvent.contextMenu(within(rows()[0]!).getByTestId('track-title'));
    expect(screen.getByRole('menu')).toBeInTheDocument();
    await fireEvent.pointerDown(document.body);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(invokeMock).not.toHaveBeenCalled();
  });

  it('is keyboard accessible: arrows move, Enter plays', async () => {
    const tracks = library(5);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    const listbox = screen.getByRole('listbox', { name: 'Tracks' });
    const first = rows()[0]!;
    expect(first).toHaveAttribute('tabindex', '0');
    expect(rows()[1]).toHaveAttribute('tabindex', '-1');
    first.focus();
    await fireEvent.keyDown(first, { key: 'ArrowDown' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t2');
    expect(within(listbox).getByRole('option', { selected: true })).toHaveAttribute('data-track-id', 'local:t2');
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t4');
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t4');
    await fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(invokeMock).toHaveBeenCalledWith('play_library_track', { id: 'local:t1' });
  });

  it('renders a hostile title as literal text', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const tracks = [makeTrack({ id: 'local:evil', title: hostile, artists: ['<script>alert(1)</script>'] })];
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    const { container } = render(LibraryView);
    const title = screen.getByTestId('track-title');
    expect(title.textContent).toBe(hostile);
    expect(title.children).toHaveLength(0);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(screen.getByText('<script>alert(1)</script>')).toBeInTheDocument();
  });

  it('shows Scanning… while the library is scanned', () => {
    player.load(makeSnapshot({ library: libraryOf([], { scanning: true }) }));
    render(LibraryView);
    expect(screen.getByTestId('library-scanning')).toHaveTextContent('Scanning…');
    expect(screen.queryByTestId('library-empty')).toBeNull();
  });

  it('shows the scan progress while a scan runs, and hides it when it ends', () => {
    player.load(makeSnapshot({ library: libraryOf(library(2), { scanning: true }) }));
    render(LibraryView);
    expect(screen.queryByTestId('scan-progress')).toBeNull();
    expect(screen.queryByRole('progressbar')).toBeNull();

    // Reading starts while the folders are still being listed: of the files found so far.
    player.receive({ type: 'state', payload: makeState({ scan: { done: 256, total: 900, counting: true, folder: '/music' } }) });
    flushSync();
    // No position while the total grows (its share would go back as more files are found).
    const counting = screen.getByRole('progressbar', { name: 'Scanning library: 256 of 900 files found so far' });
    expect(counting).not.toHaveAttribute('value');

    player.receive({ type: 'state', payload: makeState({ scan: { done: 1234, total: 20000, counting: false, folder: '/music/晴天' } }) });
    flushSync();
    const box = screen.getByTestId('scan-progress');
    const bar = within(box).getByRole('progressbar', { name: 'Scanning library: 1,234 of 20,000 files' });
    expect(bar).toHaveAttribute('value', '1234');
    expect(bar).toHaveAttribute('max', '20000');
    expect(box).toHaveTextContent('Scanning library: 1,234 of 20,000 files');
    expect(screen.getByTestId('library-scanning')).toHaveTextContent('Scanning…');
    expect(rows()).toHaveLength(2);

    player.receive({ type: 'state', payload: makeState({ scan: { done: 20000, total: 20000, counting: false, folder: '' } }) });
    flushSync();
    expect(screen.getByRole('progressbar')).toHaveAttribute('value', '20000');

    player.receive({ type: 'state', payload: makeState({ scan: null }) });
    flushSync();
    expect(screen.queryByTestId('scan-progress')).toBeNull();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('shows the scan progress in Chinese', () => {
    player.load(
      makeSnapshot({
        state: makeState({ scan: { done: 1234, total: 20000, counting: false, folder: '/music/晴天' } }),
        library: libraryOf([], { scanning: true }),
        settings: { locale: 'zh-CN', volume: 0.8, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } },
      }),
    );
    render(LibraryView);
    const text = '正在扫描音乐库：1,234 / 20,000 个文件';
    expect(screen.getByTestId('scan-progress')).toHaveTextContent(text);
    expect(screen.getByRole('progressbar', { name: text })).toHaveAttribute('max', '20000');
    player.receive({ type: 'state', payload: makeState({ scan: { done: 256, total: 900, counting: true, folder: '/music' } }) });
    flushSync();
    expect(screen.getByTestId('scan-progress')).toHaveTextContent('正在扫描音乐库：256 / 900 个文件（仍在查找）');
  });

  it('shows an empty state when there are no tracks', () => {
    player.load(makeSnapshot());
    render(LibraryView);
    expect(screen.getByTestId('library-empty')).toBeInTheDocument();
    expect(screen.queryByTestId('library-scanning')).toBeNull();
    expect(screen.queryAllByTestId('track-row')).toHaveLength(0);
  });

  it('follows library events', () => {
    player.load(makeSnapshot({ library: libraryOf([], { scanning: true }) }));
    render(LibraryView);
    player.receive({ type: 'library', payload: libraryOf(library(2)) });
    flushSync();
    expect(rows()).toHaveLength(2);
    expect(screen.queryByTestId('library-scanning')).toBeNull();
  });

  it('renders only a window of a large library', () => {
    const tracks = library(5000);
    player.load(playingSnapshot(tracks, 4000));
    render(LibraryView);
    const rendered = rows();
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(100);
    expect(screen.getByRole('listbox')).toBeInTheDocument();
    expect(rendered[0]).toHaveAttribute('aria-setsize', '5000');
  });

  it('jumps from the top to the middle and to the end of a large library with the elements it has', async () => {
    const tracks = library(3000);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    const list = screen.getByRole('listbox');
    const elements = () => Array.from(list.querySelectorAll('[data-index]'));
    const atTop = elements();
    // The first row (the keyboard's, kept in the page wherever the list goes) and the rest.
    expect(atTop[0]).toHaveAttribute('data-index', '0');
    for (const row of [1500, 2990]) {
      list.scrollTop = row * 32;
      await fireEvent.scroll(list);
      await vi.waitFor(() => expect(list.querySelector(`[data-index="${row}"]`)).toHaveAttribute('data-track-id', `local:t${row}`));
      // Every row drawn there is an element the top had: none was built (issue #19).
      expect(new Set([...atTop, ...elements()]).size).toBe(atTop.length);
    }
  });

  it('keeps the focused row mounted and reaches the end of a large library', async () => {
    const tracks = library(5000);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    rows()[0]!.focus();
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    // The last row has focus at once, and its track once the backend sent it.
    expect(document.activeElement).toHaveAttribute('aria-posinset', '5000');
    await vi.waitFor(() => expect(document.activeElement).toHaveAttribute('data-track-id', 'local:t4999'));
  });

  it('keeps focus on its row while the list scrolls away from it a few rows at a time, and back', async () => {
    const tracks = library(2000);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    const list = screen.getByRole('listbox');
    list.querySelector<HTMLElement>('[data-index="5"]')!.focus();
    const focused = document.activeElement;
    for (const top of [...Array.from({ length: 40 }, (_, i) => i * 3 * 32), 0]) {
      list.scrollTop = top;
      await fireEvent.scroll(list);
      expect(document.activeElement).toBe(focused);
    }
    expect(focused).toHaveAttribute('data-index', '5');
  });

  it('draws the rows a jump comes to once, with their tracks, when they come soon; waiting for them when they do not', async () => {
    vi.useFakeTimers();
    try {
      const tracks = library(5000);
      player.load(makeSnapshot({ library: libraryOf(tracks) }));
      // Rows from 4000 on never come.
      invokeMock.mockImplementation((cmd, args) => {
        const request = (args as { request?: { kind: string; start: number } } | undefined)?.request;
        if (cmd === 'library_rows' && request?.kind === 'range' && request.start >= 3900) return new Promise(() => {});
        return libraryReads(cmd, args) ?? Promise.resolve(undefined);
      });
      render(LibraryView);
      const list = screen.getByRole('listbox');
      const pendingShown: number[] = [];
      const watch = new MutationObserver(() => pendingShown.push(screen.queryAllByTestId('track-row-pending').length));
      watch.observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-testid'] });

      list.scrollTop = 2000 * 32;
      await fireEvent.scroll(list);
      // Held where they were until their tracks were here (at once, in this test)…
      await vi.advanceTimersByTimeAsync(0);
      flushSync();
      await vi.waitFor(() => expect(list.querySelector('[data-index="2000"]')).toHaveAttribute('data-track-id', 'local:t2000'));
      // …then drawn once: no row was ever shown waiting.
      expect(pendingShown.every((n) => n === 0)).toBe(true);

      // Rows that do not come are drawn waiting for them, after a short hold.
      list.scrollTop = 4500 * 32;
      await fireEvent.scroll(list);
      await vi.advanceTimersByTimeAsync(50);
      expect(list.querySelector('[data-index="4500"]')).toBeNull();
      await vi.advanceTimersByTimeAsync(100);
      flushSync();
      expect(list.querySelector('[data-index="4500"]')).toHaveAttribute('data-testid', 'track-row-pending');
      watch.disconnect();
    } finally {
      vi.useRealTimers();
    }
  });

  it('after a jump far down shows the rows there in the same elements, and the focused row keeps its own', async () => {
    const tracks = library(5000);
    player.load(makeSnapshot({ library: libraryOf(tracks) }));
    render(LibraryView);
    const before = rows();
    before[0]!.focus();
    const focused = document.activeElement;
    const list = screen.getByRole('listbox');
    list.scrollTop = 3000 * 32;
    await fireEvent.scroll(list);
    // Waiting for their tracks, then filled in: the rows there, in elements already in the page.
    await vi.waitFor(() => expect(list.querySelector('[data-index="3000"]')).toHaveAttribute('data-track-id', 'local:t3000'));
    // (The window there has overscan above it too: a few more rows than at the top.)
    const after = rows();
    const lent = before.filter((r) => r !== focused);
    expect(lent.length).toBeGreaterThan(10);
    expect(lent.every((r) => after.includes(r) && Number(r.dataset.index) >= 2990)).toBe(true);
    expect(within(list.querySelector<HTMLElement>('[data-index="3001"]')!).getByTestId('track-title')).toHaveTextContent('Song 3001');
    // The focused row was not lent to another: it is still row 1, and still has focus.
    expect(document.activeElement).toBe(focused);
    expect(focused).toHaveAttribute('aria-posinset', '1');
    expect(focused).toHaveAttribute('data-track-id', 'local:t0');
  });

  describe('search', () => {
    /** Answers `search_library` from `answers` (by query); anything else resolves to nothing. */
    function answerSearches(answers: Record<string, string[] | Promise<string[]>>) {
      invokeMock.mockImplementation(async (cmd, args) => {
        if (cmd !== 'search_library') return libraryReads(cmd, args);
        const query = (args as { query: string }).query;
        return answers[query] ?? [];
      });
    }

    function searchCalls() {
      return invokeMock.mock.calls.filter(([cmd]) => cmd === 'search_library');
    }

    function shownIds() {
      return rows().map((r) => r.getAttribute('data-track-id'));
    }

    async function type(value: string) {
      await fireEvent.input(screen.getByTestId('library-search'), { target: { value } });
    }

    /** Scrolls the library to row `row` and waits until it shows that row's track. */
    async function scrollLibraryTo(list: HTMLElement, row: number) {
      list.scrollTop = row * 32;
      await fireEvent.scroll(list);
      await vi.advanceTimersByTimeAsync(0);
      flushSync();
      await vi.waitFor(() => expect(list.querySelector(`[data-index="${row}"]`)).toHaveAttribute('data-track-id', `local:t${row}`));
    }

    /**
     * The row indices the list's elements were given while `act` ran: each index before a
     * change and after its batch (`oldValue` alone would miss a batch's last value, the
     * current one the values set in between).
     */
    async function indicesDrawnDuring(list: HTMLElement, act: () => Promise<void>): Promise<number[]> {
      const drawn: number[] = [];
      const note = (records: MutationRecord[]) =>
        records.forEach((r) => drawn.push(Number(r.oldValue ?? -1), Number((r.target as Element).getAttribute('data-index'))));
      const changes = new MutationObserver(note);
      changes.observe(list, { subtree: true, attributes: true, attributeFilter: ['data-index'], attributeOldValue: true });
      await act();
      note(changes.takeRecords());
      changes.disconnect();
      return drawn;
    }

    /** Lets the debounce run out and the (mocked) answer arrive. */
    async function settle() {
      await vi.advanceTimersByTimeAsync(150);
      flushSync();
    }

    beforeEach(() => {
      vi.useFakeTimers();
    });

    afterEach(() => {
      vi.useRealTimers();
    });

    it("shows a search's answer in the same list and its rows, from the top, and the library again where it was left", async () => {
      const tracks = library(3000);
      player.load(makeSnapshot({ library: libraryOf(tracks) }));
      answerSearches({ song: ['local:t7', 'local:t2500'] });
      render(LibraryView);
      const list = screen.getByRole('listbox');
      await scrollLibraryTo(list, 1000);
      const before = rows();

      await type('song');
      await settle();
      expect(shownIds()).toEqual(['local:t7', 'local:t2500']);
      expect(screen.getByRole('listbox')).toBe(list);
      expect(list.scrollTop).toBe(0);
      // The answer's rows are rows the library showed, their text changed.
      expect(rows().every((r) => before.includes(r))).toBe(true);

      // The rows are drawn once, for where the library was left: not first for the top (where
      // the answer's short list had the scroll), then again (issue #19: a long frame).
      const drawnFor = await indicesDrawnDuring(list, async () => {
        await type('');
        await settle();
      });
      // Only the answer's two rows (0 and 1) had an index before; no row was drawn at the top.
      expect(drawnFor.filter((index) => index > 1 && index < 990)).toEqual([]);
      expect(list.scrollTop).toBe(1000 * 32);
      await vi.waitFor(() => expect(list.querySelector('[data-index="1000"]')).toHaveAttribute('data-track-id', 'local:t1000'));
    });

    it('draws a long answer once, from its top, when the library was left far down', async () => {
      const tracks = library(3000);
      player.load(makeSnapshot({ library: libraryOf(tracks) }));
      const many = Array.from({ length: 500 }, (_, i) => `local:t${i * 2}`);
      answerSearches({ song: many });
      render(LibraryView);
      const list = screen.getByRole('listbox');
      await scrollLibraryTo(list, 2000);

      // Where the library was is past the answer's end: its last rows would be drawn first,
      // then its first ones, had the list been scrolled before the rows were drawn.
      const drawnFor = await indicesDrawnDuring(list, async () => {
        await type('song');
        await settle();
      });
      expect(list.scrollTop).toBe(0);
      expect(shownIds().slice(0, 3)).toEqual(['local:t0', 'local:t2', 'local:t4']);
      // Only the library's rows (around 2000) had those elements before.
      expect(drawnFor.filter((index) => index > 40 && index < 1900)).toEqual([]);
    });

    it('has a labelled search field above the list', () => {
      player.load(makeSnapshot({ library: libraryOf(library(3)) }));
      render(LibraryView);
      const field = screen.getByRole('searchbox', { name: 'Search the library' });
      expect(field).toBe(screen.getByTestId('library-search'));
      expect(field).toHaveAttribute('type', 'search');
      expect(field).toHaveAttribute('placeholder', 'Search title, artist, album');
      expect(field.compareDocumentPosition(screen.getByRole('listbox')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    });

    it('searches after a pause in typing and shows only the matches, best first', async () => {
      player.load(makeSnapshot({ library: libraryOf(library(5)) }));
      answerSearches({ song: ['local:t3', 'local:t0', 'local:t4'] });
      render(LibraryView);
      await type('s');
      await type('so');
      await type('  song ');
      await vi.advanceTimersByTimeAsync(50);
      expect(searchCalls()).toHaveLength(0);
      expect(rows()).toHaveLength(5);
      await settle();
      expect(searchCalls()).toEqual([['search_library', { query: 'song' }]]);
      expect(shownIds()).toEqual(['local:t3', 'local:t0', 'local:t4']);
      expect(within(rows()[0]!).getByTestId('track-title')).toHaveTextContent('Song 3');
      expect(screen.getByRole('listbox')).toHaveAccessibleName('Tracks');
    });

    it('ignores a late answer for an older query', async () => {
      player.load(makeSnapshot({ library: libraryOf(library(5)) }));
      let answerOld!: (ids: string[]) => void;
      const old = new Promise<string[]>((resolve) => (answerOld = resolve));
      answerSearches({ a: old, ab: ['local:t2'] });
      render(LibraryView);
      await type('a');
      await vi.advanceTimersByTimeAsync(150);
      await type('ab');
      await settle();
      expect(shownIds()).toEqual(['local:t2']);
      answerOld(['local:t0', 'local:t1', 'local:t2']);
      await settle();
      expect(searchCalls().map(([, args]) => args)).toEqual([{ query: 'a' }, { query: 'ab' }]);
      expect(shownIds()).toEqual(['local:t2']);
    });

    it('shows the whole library again when the field is cleared', async () => {
      player.load(makeSnapshot({ library: libraryOf(library(4)) }));
      answerSearches({ x: ['local:t1'] });
      render(LibraryView);
      await type('x');
      await settle();
      expect(shownIds()).toEqual(['local:t1']);
      await type('   ');
      flushSync();
      expect(shownIds()).toEqual(['local:t0', 'local:t1', 'local:t2', 'local:t3']);
      await settle();
      expect(searchCalls()).toHaveLength(1);
    });

    it('clears the field with Escape', async () => {
      player.load(makeSnapshot({ library: libraryOf(library(4)) }));
      answerSearches({ x: ['local:t1'] });
      render(LibraryView);
      await type('x');
      await settle();
      const field = screen.getByTestId<HTMLInputElement>('library-search');
      await fireEvent.keyDown(field, { key: 'Escape' });
      expect(field.value).toBe('');
      expect(rows()).toHaveLength(4);
    });

    it('says so when nothing matches', async () => {
      player.load(makeSnapshot({ library: libraryOf(library(3)) }));
      answerSearches({ zzz: [] });
      render(LibraryView);
      await type('zzz');
      await settle();
      expect(screen.queryAllByTestId('track-row')).toHaveLength(0);
      expect(screen.getByTestId('library-no-match')).toHaveTextContent('No tracks match “zzz”');
      expect(screen.queryByTestId('library-empty')).toBeNull();
      expect(screen.getByTestId('library-search')).toBeInTheDocument();
    });

    it('plays a found track on double click and Enter', async () => {
      player.load(makeSnapshot({ library: libraryOf(library(5)) }));
      answerSearches({ q: ['local:t4', 'local:t2'] });
      render(LibraryView);
      await type('q');
      await settle();
      invokeMock.mockClear();
      await fireEvent.dblClick(within(rows()[1]!).getByTestId('track-title'));
      rows()[0]!.focus();
      await fireEvent.keyDown(rows()[0]!, { key: 'Enter' });
      expect(invokeMock.mock.calls).toEqual([
        ['play_library_track', { id: 'local:t2' }],
        ['play_library_track', { id: 'local:t4' }],
      ]);
    });

    it('searches the new library when it changes; tracks gone from it are not shown', async () => {
      const tracks = library(4);
      player.load(makeSnapshot({ library: libraryOf(tracks) }));
      answerSearches({ q: ['local:t3', 'local:t1', 'local:t0'] });
      render(LibraryView);
      await type('q');
      await settle();
      const added = makeTrack({ id: 'local:new', title: 'New' });
      player.receive({
        type: 'library',
        payload: libraryOf([tracks[0]!, tracks[2]!, tracks[3]!, added], { revision: 2 }),
      });
      flushSync();
      // Until the new answer is in, the last one stays.
      expect(shownIds()).toEqual(['local:t3', 'local:t1', 'local:t0']);
      await settle();
      expect(shownIds()).toEqual(['local:t3', 'local:t0']);
      expect(searchCalls()).toHaveLength(2);
    });

    it('renders a hostile title among the results as text', async () => {
      const hostile = '<img src=x onerror=alert(1)>';
      const tracks = [...library(2), makeTrack({ id: 'local:evil', title: hostile })];
      player.load(makeSnapshot({ library: libraryOf(tracks) }));
      answerSearches({ img: ['local:evil'] });
      const { container } = render(LibraryView);
      await type('img');
      await settle();
      const title = screen.getByTestId('track-title');
      expect(title.textContent).toBe(hostile);
      expect(title.children).toHaveLength(0);
      expect(container.querySelector('img')).toBeNull();
    });

    it('renders a hostile query in the empty state as text', async () => {
      const hostile = '<b>x</b>';
      player.load(makeSnapshot({ library: libraryOf(library(2)) }));
      answerSearches({});
      const { container } = render(LibraryView);
      await type(hostile);
      await settle();
      expect(screen.getByTestId('library-no-match')).toHaveTextContent(`No tracks match “${hostile}”`);
      expect(container.querySelector('b')).toBeNull();
    });

    it('is translated', () => {
      player.load(
        makeSnapshot({
          library: libraryOf(library(2)),
          settings: { locale: 'zh-CN', volume: 0.8, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } },
        }),
      );
      render(LibraryView);
      const field = screen.getByRole('searchbox', { name: '搜索音乐库' });
      expect(field).toHaveAttribute('placeholder', '搜索标题、艺人、专辑');
    });
  });
});
