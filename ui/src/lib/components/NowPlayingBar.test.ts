import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import NowPlayingBar from './NowPlayingBar.svelte';
import { player } from '../player.svelte';
import { makeSnapshot, makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const song = makeTrack({
  id: 'local:song',
  title: 'Lyrebird Song',
  artists: ['The Understory', 'Ada Finch'],
  album: 'Forest Floor',
  durationMs: 312_000,
  hasCover: true,
});

function loadPlaying(overrides: Parameters<typeof playingSnapshot>[2] = {}) {
  player.load(playingSnapshot([makeTrack(), song], 1, { positionMs: 83_000, playId: 7, ...overrides }));
}

describe('NowPlayingBar', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('renders the current track from the snapshot', () => {
    loadPlaying();
    render(NowPlayingBar);
    expect(screen.getByTestId('np-title')).toHaveTextContent('Lyrebird Song');
    expect(screen.getByTestId('np-artist')).toHaveTextContent('The Understory, Ada Finch');
    expect(screen.getByTestId('np-album')).toHaveTextContent('Forest Floor');
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('1:23');
    expect(screen.getByTestId('np-total')).toHaveTextContent('5:12');

    const root = screen.getByTestId('now-playing');
    expect(root).toHaveAttribute('data-status', 'playing');
    expect(root).toHaveAttribute('data-position-ms', '83000');
    expect(root).toHaveAttribute('data-play-id', '7');
    expect(root).toHaveAttribute('data-track-id', 'local:song');

    const cover = screen.getByTestId('np-cover');
    expect(cover.tagName).toBe('IMG');
    expect(cover).toHaveAttribute('src', 'lyrebird-cover://localhost/local%3Asong?size=small');
    expect(screen.getByTestId('np-toggle')).toHaveAccessibleName('Pause');
  });

  it('says at what quality a stream plays, and nothing for a file', () => {
    const at = (quality?: string) => {
      const snapshot = playingSnapshot([makeTrack(), song], 1);
      player.load({ ...snapshot, state: { ...snapshot.state, quality } });
    };
    at('lossless');
    const { unmount } = render(NowPlayingBar);
    const badge = screen.getByTestId('np-quality');
    expect(badge).toHaveTextContent('Lossless');
    expect(badge).toHaveAttribute('title', 'Playing at Lossless (FLAC)');
    unmount();
    at('<b>odd</b>');
    const { unmount: again } = render(NowPlayingBar);
    expect(screen.getByTestId('np-quality').textContent).toBe('<b>odd</b>');
    again();
    at(undefined);
    render(NowPlayingBar);
    expect(screen.queryByTestId('np-quality')).toBeNull();
  });

  it('follows position events', () => {
    loadPlaying();
    render(NowPlayingBar);
    player.receive({ type: 'position', payload: { playId: 7, positionMs: 125_000 } });
    flushSync();
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('2:05');
    expect(screen.getByTestId('now-playing')).toHaveAttribute('data-position-ms', '125000');
    // A stale play id changes nothing.
    player.receive({ type: 'position', payload: { playId: 6, positionMs: 5_000 } });
    flushSync();
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('2:05');
  });

  it('offers a like only when the source has likes, and sends the other state', async () => {
    loadPlaying();
    const { unmount } = render(NowPlayingBar);
    expect(screen.queryByTestId('np-like')).toBeNull();
    unmount();

    loadPlaying();
    player.receive({ type: 'state', payload: { ...player.state!, liked: false } });
    render(NowPlayingBar);
    const like = screen.getByTestId('np-like');
    expect(like).toHaveAccessibleName('Like');
    expect(like).toHaveAttribute('aria-pressed', 'false');
    await fireEvent.click(like);
    expect(invokeMock).toHaveBeenCalledWith('set_liked', { id: 'local:song', liked: true });

    // The actor's state, not the click, decides what shows.
    expect(like).toHaveAttribute('aria-pressed', 'false');
    player.receive({ type: 'state', payload: { ...player.state!, liked: true } });
    flushSync();
    expect(like).toHaveAttribute('aria-pressed', 'true');
    expect(like).toHaveAccessibleName('Like');
    expect(like).toHaveAttribute('title', 'Unlike');
    await fireEvent.click(like);
    expect(invokeMock).toHaveBeenLastCalledWith('set_liked', { id: 'local:song', liked: false });
  });

  it('shows an idle bar when nothing is loaded', () => {
    player.load(makeSnapshot());
    render(NowPlayingBar);
    expect(screen.getByTestId('np-title')).toHaveTextContent('Nothing playing');
    expect(screen.getByTestId('np-artist')).toHaveTextContent('');
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('--:--');
    expect(screen.getByTestId('np-seek')).toBeDisabled();
    expect(screen.getByTestId('np-cover').tagName).toBe('DIV');
    expect(screen.getByTestId('now-playing')).toHaveAttribute('data-track-id', '');
    expect(screen.getByTestId('now-playing')).toHaveAttribute('data-status', 'stopped');
    expect(screen.getByTestId('np-prev')).toBeDisabled();
    expect(screen.getByTestId('np-next')).toBeDisabled();
  });

  it('shows a placeholder for tracks without a cover', () => {
    player.load(playingSnapshot([makeTrack({ hasCover: false })], 0));
    render(NowPlayingBar);
    expect(screen.getByTestId('np-cover').tagName).toBe('DIV');
  });

  it('play/pause calls toggle_pause', async () => {
    loadPlaying({ status: 'paused' });
    render(NowPlayingBar);
    const toggle = screen.getByTestId('np-toggle');
    expect(toggle).toHaveAccessibleName('Play');
    await fireEvent.click(toggle);
    expect(invokeMock).toHaveBeenCalledWith('toggle_pause');
  });

  it('previous and next call their commands', async () => {
    loadPlaying();
    render(NowPlayingBar);
    await fireEvent.click(screen.getByTestId('np-prev'));
    await fireEvent.click(screen.getByTestId('np-next'));
    expect(invokeMock.mock.calls).toEqual([['previous'], ['next']]);
  });

  it('looks busy while loading', () => {
    loadPlaying({ status: 'loading' });
    render(NowPlayingBar);
    const toggle = screen.getByTestId('np-toggle');
    expect(toggle).toBeDisabled();
    expect(toggle).toHaveAttribute('aria-busy', 'true');
    expect(toggle).toHaveAccessibleName('Loading');
    expect(screen.getByTestId('now-playing')).toHaveAttribute('data-status', 'loading');
  });

  it('seeks in milliseconds when the slider is released, without fighting position updates', async () => {
    loadPlaying();
    render(NowPlayingBar);
    const seek = screen.getByTestId('np-seek') as HTMLInputElement;
    expect(seek.max).toBe('312000');

    await fireEvent.input(seek, { target: { value: '30000' } });
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('0:30');
    expect(invokeMock).not.toHaveBeenCalled();

    // Updates from the actor while dragging do not move the thumb.
    player.receive({ type: 'position', payload: { playId: 7, positionMs: 84_000 } });
    flushSync();
    expect(seek.value).toBe('30000');
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('0:30');

    await fireEvent.change(seek, { target: { value: '30000' } });
    expect(invokeMock).toHaveBeenCalledWith('seek', { positionMs: 30_000 });
    // Until the actor confirms, the bar keeps showing the target.
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('0:30');
    player.receive({ type: 'position', payload: { playId: 7, positionMs: 30_250 } });
    flushSync();
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('0:30');
    player.receive({ type: 'position', payload: { playId: 7, positionMs: 31_250 } });
    flushSync();
    expect(screen.getByTestId('np-elapsed')).toHaveTextContent('0:31');
  });

  it('sets the volume as the slider moves', async () => {
    loadPlaying();
    render(NowPlayingBar);
    const volume = screen.getByTestId('np-volume') as HTMLInputElement;
    expect(Number(volume.value)).toBeCloseTo(0.8);
    await fireEvent.input(volume, { target: { value: '0.3' } });
    expect(invokeMock).toHaveBeenCalledWith('set_volume', { volume: 0.3 });
  });

  it('cycles the play mode: in order → repeat all → repeat one → shuffle → in order', async () => {
    const cycle = [
      ['inOrder', 'Play mode: In order', 'repeatAll'],
      ['repeatAll', 'Play mode: Repeat all', 'repeatOne'],
      ['repeatOne', 'Play mode: Repeat one', 'shuffle'],
      ['shuffle', 'Play mode: Shuffle', 'inOrder'],
    ] as const;
    loadPlaying();
    render(NowPlayingBar);
    const button = screen.getByTestId('np-mode');
    const icons = new Set<string>();
    for (const [mode, label, next] of cycle) {
      player.receive({ type: 'state', payload: { ...player.state!, mode } });
      flushSync();
      expect(button).toHaveAttribute('data-mode', mode);
      expect(button).toHaveAccessibleName(label);
      icons.add(button.querySelector('path')!.getAttribute('d')!);
      invokeMock.mockClear();
      await fireEvent.click(button);
      expect(invokeMock.mock.calls).toEqual([['set_play_mode', { mode: next }]]);
    }
    expect(icons.size).toBe(4);
  });

  it('mutes and unmutes without touching the volume', async () => {
    loadPlaying();
    render(NowPlayingBar);
    const mute = screen.getByTestId('np-mute');
    expect(mute).toHaveAccessibleName('Mute');
    await fireEvent.click(mute);
    expect(invokeMock).toHaveBeenLastCalledWith('set_muted', { muted: true });
    player.receive({ type: 'state', payload: { ...player.state!, muted: true } });
    flushSync();
    expect(mute).toHaveAccessibleName('Unmute');
    expect(mute).toHaveAttribute('aria-pressed', 'true');
    expect(Number((screen.getByTestId('np-volume') as HTMLInputElement).value)).toBeCloseTo(0.8);
    await fireEvent.click(mute);
    expect(invokeMock).toHaveBeenLastCalledWith('set_muted', { muted: false });
  });

  it('toggles stop after the current track', async () => {
    loadPlaying();
    render(NowPlayingBar);
    const toggle = screen.getByTestId('np-stop-after');
    expect(toggle).toHaveAccessibleName('Stop after current track');
    expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await fireEvent.click(toggle);
    expect(invokeMock).toHaveBeenLastCalledWith('set_stop_after_current', { on: true });
    player.receive({ type: 'state', payload: { ...player.state!, stopAfterCurrent: true } });
    flushSync();
    expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await fireEvent.click(toggle);
    expect(invokeMock).toHaveBeenLastCalledWith('set_stop_after_current', { on: false });
  });

  it('offers stop-after only while there is a current track', () => {
    player.load(makeSnapshot());
    render(NowPlayingBar);
    expect(screen.getByTestId('np-stop-after')).toBeDisabled();
    expect(screen.getByTestId('np-mode')).toBeEnabled();
  });

  it('renders hostile metadata as text', () => {
    const evil = makeTrack({
      title: '<img src=x onerror=alert(1)>',
      artists: ['<script>alert(2)</script>'],
      album: '<b>bold</b>',
    });
    player.load(playingSnapshot([evil], 0));
    const { container } = render(NowPlayingBar);
    expect(screen.getByTestId('np-title').textContent?.trim()).toBe('<img src=x onerror=alert(1)>');
    expect(screen.getByTestId('np-artist').textContent).toBe('<script>alert(2)</script>');
    expect(screen.getByTestId('np-album').textContent).toBe('<b>bold</b>');
    expect(container.querySelector('script, b, img[src="x"]')).toBeNull();
  });
});
