import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import NowPlayingView from './NowPlayingView.svelte';
import { player } from '../player.svelte';
import { makeTrack, playingSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);
const tracks = Array.from({ length: 10 }, (_, i) => makeTrack({ id: `local:${i}`, title: `Song ${i}`, artists: [`Artist ${i}`] }));

describe('Now Playing: up next', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('lists the entries after the current one, and plays the one clicked', async () => {
    player.load(playingSnapshot(tracks, 2));
    render(NowPlayingView);
    const upNext = screen.getByRole('region', { name: 'Up next' });
    const entries = within(upNext).getAllByTestId('up-next-entry');
    expect(entries.map((e) => e.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'Song 3 Artist 3',
      'Song 4 Artist 4',
      'Song 5 Artist 5',
      'Song 6 Artist 6',
    ]);
    expect(entries[0]).toHaveAccessibleName('Play Song 3');
    const entryId = player.queue!.window[4]!.entryId;
    await fireEvent.click(entries[1]!);
    expect(invokeMock).toHaveBeenCalledWith('play_queue_entry', { entry: entryId });
  });

  it('says when nothing follows, and follows the queue', () => {
    player.load(playingSnapshot(tracks, 9));
    render(NowPlayingView);
    expect(screen.getByTestId('up-next-none')).toHaveTextContent('Nothing after this track in the queue.');
    player.load(playingSnapshot(tracks, 7));
    flushSync();
    expect(screen.getAllByTestId('up-next-entry')).toHaveLength(2);
  });
});
