import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Toasts from './Toasts.svelte';
import { player, TOAST_MS } from '../player.svelte';
import { makeSnapshot } from '../../test/fixtures';

describe('Toasts', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows notices with their text, errors styled as errors', () => {
    player.load(makeSnapshot());
    render(Toasts);
    player.receive({ type: 'notice', payload: { kind: 'cannotPlay', name: '<i>a.flac</i>', reason: 'bad header' } });
    player.receive({ type: 'notice', payload: { kind: 'audioDeviceRestored' } });
    player.receive({
      type: 'notice',
      payload: { kind: 'settingsReset', reason: 'invalid JSON', keptAs: 'settings.json.bad' },
    });
    flushSync();
    const notices = screen.getAllByTestId('notice');
    expect(notices).toHaveLength(3);
    expect(notices[0]).toHaveTextContent('Cannot play <i>a.flac</i>: bad header');
    expect(notices[0]!.querySelector('i')).toBeNull();
    expect(notices[0]).toHaveAttribute('data-severity', 'error');
    expect(notices[0]).toHaveAttribute('role', 'alert');
    expect(notices[1]).toHaveTextContent('Audio output is available again.');
    expect(notices[1]).toHaveAttribute('data-severity', 'info');
    expect(notices[2]).toHaveTextContent(
      'Settings could not be read (invalid JSON); defaults are in use, the old file was kept as settings.json.bad',
    );
  });

  it('tells when the saved queue could not be read', () => {
    player.load(makeSnapshot());
    render(Toasts);
    player.receive({
      type: 'notice',
      payload: { kind: 'sessionReset', reason: 'invalid JSON', keptAs: 'session.json.bad' },
    });
    flushSync();
    const notice = screen.getByTestId('notice');
    expect(notice).toHaveTextContent(
      'The saved queue could not be read (invalid JSON); the queue starts empty, the old file was kept as session.json.bad',
    );
    expect(notice).toHaveAttribute('data-severity', 'warning');
  });

  it('says when NetEase lists are shown as kept, with the time in words', () => {
    player.load(makeSnapshot());
    render(Toasts);
    const savedMs = Date.UTC(2026, 11, 5, 9, 30);
    player.receive({ type: 'notice', payload: { kind: 'neteaseOffline', savedMs } });
    flushSync();
    const notice = screen.getByTestId('notice');
    const time = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(savedMs));
    expect(notice).toHaveTextContent(
      `NetEase cannot be reached: its lists are shown as they were on ${time}, and their songs play from your other sources.`,
    );
    expect(notice).toHaveAttribute('data-severity', 'warning');
  });

  it('can be dismissed', async () => {
    render(Toasts);
    player.notify({ kind: 'allTracksFailed' });
    flushSync();
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('notice')).toBeNull();
  });

  it('dismisses itself after a few seconds', () => {
    vi.useFakeTimers();
    render(Toasts);
    player.notify({ kind: 'noAudioDevice', reason: 'unplugged' });
    flushSync();
    expect(screen.getByTestId('notice')).toHaveTextContent('No audio output device: unplugged');
    vi.advanceTimersByTime(TOAST_MS);
    flushSync();
    expect(screen.queryByTestId('notice')).toBeNull();
  });
});
