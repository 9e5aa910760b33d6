import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import PlayingFrom from './PlayingFrom.svelte';
import { player } from '../player.svelte';
import type { PlayingFrom as From } from '../ipc/servers';
import { makeSnapshot, makeState, makeTrack } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

function candidate(id: string, sourceLabel: string, title = '晴天') {
  return { id, title, artists: ['周杰伦'], album: null, durationMs: 269_000, sourceLabel, score: 0.9, perfect: false };
}

function load(from: From | null, locale: 'en' | 'zh-CN' = 'en') {
  const current = makeTrack({ id: 'local:1', title: '晴天' });
  const snapshot = makeSnapshot({ state: makeState({ current, playingFrom: from }) });
  player.load({ ...snapshot, settings: { ...snapshot.settings, locale } });
}

describe('PlayingFrom', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('shows nothing while the track plays from its own source', () => {
    load(null);
    render(PlayingFrom);
    expect(screen.queryByTestId('playing-from')).toBeNull();
  });

  it('says where the copy plays from and why, as text', () => {
    load({
      sourceLabel: '<img src=x onerror=alert(1)>Home',
      reason: '/music/晴天.flac is missing',
      candidateId: 'subsonic:a/x',
      candidates: [candidate('subsonic:a/x', '<img src=x onerror=alert(1)>Home')],
    });
    const { container } = render(PlayingFrom);
    const text = screen.getByTestId('playing-from-text');
    expect(text.textContent).toBe('Playing from <img src=x onerror=alert(1)>Home');
    expect(text.getAttribute('title')).toBe('Playing from <img src=x onerror=alert(1)>Home — /music/晴天.flac is missing');
    expect(container.querySelector('img')).toBeNull();
    expect(screen.queryByTestId('playing-from-choose')).toBeNull();
  });

  it('names the library in the user language and lets the user pick another copy', async () => {
    load(
      {
        sourceLabel: 'library',
        reason: 'VIP only',
        candidateId: 'library/local:9',
        candidates: [candidate('library/local:9', 'library'), candidate('subsonic:a/subsonic:a:7', 'Home')],
      },
      'zh-CN',
    );
    render(PlayingFrom);
    expect(screen.getByTestId('playing-from-text').textContent).toBe('正在从 本地音乐库 播放');
    expect(screen.getByTestId('playing-from-text').getAttribute('title')).toBe('正在从 本地音乐库 播放 — VIP only');
    const select = screen.getByTestId('playing-from-choose') as HTMLSelectElement;
    expect([...select.options].map((o) => o.text)).toEqual([
      '晴天 — 周杰伦（本地音乐库，4:29，90%）',
      '晴天 — 周杰伦（Home，4:29，90%）',
    ]);
    await fireEvent.change(select, { target: { value: 'subsonic:a/subsonic:a:7' } });
    expect(invokeMock).toHaveBeenCalledWith('use_candidate', { track: 'local:1', candidate: 'subsonic:a/subsonic:a:7' });
  });

  it('in the mini player shows where it plays from and why, without the choice', () => {
    load({
      sourceLabel: 'Home',
      reason: 'connection refused',
      candidateId: 'subsonic:a/x',
      candidates: [candidate('subsonic:a/x', 'Home'), candidate('library/y', 'library')],
    });
    render(PlayingFrom, { props: { compact: true } });
    const text = screen.getByTestId('playing-from-text');
    expect(text.textContent).toBe('Playing from Home');
    expect(text.getAttribute('title')).toContain('connection refused');
    expect(screen.queryByTestId('playing-from-choose')).toBeNull();
  });
});
