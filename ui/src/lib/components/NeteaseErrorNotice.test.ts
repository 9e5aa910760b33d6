// Risk control (-462): the notice opens NetEase's verification page in its own window (through
// the `netease_verify` command) and closes it when the user tries again.
import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import NeteaseErrorNotice from './NeteaseErrorNotice.svelte';

const invokeMock = vi.mocked(invoke);
const URL = 'https://st.music.163.com/encrypt-pages/verify?x=1';

beforeEach(() => {
  invokeMock.mockReset();
  invokeMock.mockResolvedValue(undefined);
});

describe('NeteaseErrorNotice', () => {
  it('opens the verification page in its window, and closes it on "Try again"', async () => {
    const onretry = vi.fn();
    render(NeteaseErrorNotice, { error: { kind: 'verify', url: URL }, onretry });
    expect(screen.getByTestId('netease-verify-url')).toHaveValue(URL);
    await fireEvent.click(screen.getByTestId('netease-verify'));
    expect(invokeMock).toHaveBeenLastCalledWith('netease_verify', { url: URL });
    await fireEvent.click(screen.getByTestId('netease-retry'));
    expect(invokeMock).toHaveBeenLastCalledWith('netease_verify', { url: null });
    expect(onretry).toHaveBeenCalledOnce();
  });

  it('says so when the window could not open (the address stays to copy)', async () => {
    invokeMock.mockRejectedValue({ kind: 'other', message: 'not a NetEase verification page' });
    render(NeteaseErrorNotice, { error: { kind: 'verify', url: URL } });
    await fireEvent.click(screen.getByTestId('netease-verify'));
    await vi.waitFor(() => expect(screen.getByTestId('netease-verify-failed')).toBeInTheDocument());
  });

  it('offers no verification for other errors, and "Try again" leaves windows alone', async () => {
    const onretry = vi.fn();
    render(NeteaseErrorNotice, { error: { kind: 'captcha' }, onretry });
    expect(screen.queryByTestId('netease-verify')).toBeNull();
    await fireEvent.click(screen.getByTestId('netease-retry'));
    expect(invokeMock).not.toHaveBeenCalled();
    expect(onretry).toHaveBeenCalledOnce();
  });
});
