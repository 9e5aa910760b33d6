import { invoke } from '@tauri-apps/api/core';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import ServersSettings from './ServersSettings.svelte';
import { player } from '../player.svelte';
import type { ServerSettings, SourceSettings } from '../ipc/servers';
import { makeSnapshot } from '../../test/fixtures';

const invokeMock = vi.mocked(invoke);

const HOME: ServerSettings = {
  id: 's1',
  name: 'Home',
  baseUrl: 'http://127.0.0.1:4040',
  user: 'ann',
  auth: 'password',
  certificatePin: null,
  legacyPasswordAuth: false,
  enabled: true,
  secretStorage: 'file',
};

function load(sources: SourceSettings) {
  const snapshot = makeSnapshot();
  player.load({ ...snapshot, settings: { ...snapshot.settings, sources } });
}

async function type(testid: string, value: string) {
  await fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

describe('ServersSettings', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    invokeMock.mockResolvedValue(undefined);
  });

  it('lists servers without secrets and says where the password is kept', () => {
    load({ servers: [HOME, { ...HOME, id: 's2', name: 'Work', secretStorage: 'keyring' }], order: [] });
    render(ServersSettings);
    const storage = screen.getAllByTestId('server-storage').map((e) => e.textContent?.trim());
    expect(storage[0]).toContain('stored in a file readable only by you');
    expect(storage[1]).toContain('system keyring');
    expect(screen.getAllByTestId('source-order-row').map((r) => r.dataset.sourceId)).toEqual([
      'library',
      'subsonic:s1',
      'subsonic:s2',
    ]);
  });

  it('adds a server: test connection shows the client error, save sends the secret once', async () => {
    load({ servers: [], order: [] });
    render(ServersSettings);
    expect(screen.getByTestId('servers-empty')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('server-add'));
    await type('server-form-name', 'Home');
    await type('server-form-url', 'http://127.0.0.1:4040');
    await type('server-form-user', 'ann');
    await type('server-form-secret', 'wrong');
    invokeMock.mockResolvedValueOnce({ result: 'failed', reason: 'wrong user name or password' });
    await fireEvent.click(screen.getByTestId('server-test'));
    await waitFor(() => expect(screen.getByTestId('server-test-result').textContent).toContain('Cannot connect: wrong user name or password'));
    expect(invokeMock).toHaveBeenLastCalledWith('test_server', {
      server: { id: '', name: 'Home', baseUrl: 'http://127.0.0.1:4040', user: 'ann', auth: 'password', secret: 'wrong', certificatePin: null, legacyPasswordAuth: false, enabled: true },
    });

    await type('server-form-secret', 'right');
    invokeMock.mockResolvedValueOnce({ result: 'ok', auth: 'Token' });
    await fireEvent.click(screen.getByTestId('server-test'));
    await waitFor(() => expect(screen.getByTestId('server-test-result').dataset.result).toBe('ok'));

    invokeMock.mockResolvedValueOnce({ ...HOME });
    await fireEvent.submit(screen.getByTestId('server-form'));
    await waitFor(() => expect(screen.queryByTestId('server-form')).toBeNull());
    expect(invokeMock).toHaveBeenLastCalledWith('save_server', {
      server: { id: '', name: 'Home', baseUrl: 'http://127.0.0.1:4040', user: 'ann', auth: 'password', secret: 'right', certificatePin: null, legacyPasswordAuth: false, enabled: true },
    });
  });

  it('shows the fingerprint of a certificate nobody vouches for, and trusts it only when asked', async () => {
    const fingerprint = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
    load({ servers: [], order: [] });
    render(ServersSettings);
    await fireEvent.click(screen.getByTestId('server-add'));
    await type('server-form-url', 'https://nas.local:4533');
    await type('server-form-user', 'ann');
    await type('server-form-secret', 'pw');
    expect(screen.queryByTestId('server-form-certificate')).toBeNull();
    invokeMock.mockResolvedValueOnce({ result: 'failed', reason: "the server's certificate is not trusted", presentedCertificate: fingerprint });
    await fireEvent.click(screen.getByTestId('server-test'));
    await waitFor(() => expect(screen.getByTestId('server-test-certificate-pin').textContent).toBe(`SHA-256 ${fingerprint}`));
    expect(screen.getByTestId('server-test-certificate').textContent).toContain('No certificate authority vouches');
    // Not trusted by the test itself.
    expect(invokeMock).toHaveBeenLastCalledWith('test_server', { server: expect.objectContaining({ certificatePin: null }) });

    await fireEvent.click(screen.getByTestId('server-test-certificate-trust'));
    expect(screen.queryByTestId('server-test-certificate')).toBeNull();
    expect(screen.getByTestId('server-form-certificate-pin').textContent).toBe(`SHA-256 ${fingerprint}`);
    invokeMock.mockResolvedValueOnce({ result: 'ok', auth: 'Token' });
    await fireEvent.click(screen.getByTestId('server-test'));
    expect(invokeMock).toHaveBeenLastCalledWith('test_server', { server: expect.objectContaining({ certificatePin: fingerprint }) });
    invokeMock.mockResolvedValueOnce({ ...HOME, certificatePin: fingerprint });
    await fireEvent.submit(screen.getByTestId('server-form'));
    expect(invokeMock).toHaveBeenLastCalledWith('save_server', { server: expect.objectContaining({ certificatePin: fingerprint, secret: 'pw' }) });
  });

  it('names a changed certificate as such, and forgets a trusted one when asked', async () => {
    const trusted = 'AA:'.repeat(31) + 'AA';
    const renewed = 'BB:'.repeat(31) + 'BB';
    load({ servers: [{ ...HOME, baseUrl: 'https://nas.local', certificatePin: trusted }], order: [] });
    render(ServersSettings);
    await fireEvent.click(screen.getByTestId('server-edit'));
    expect(screen.getByTestId('server-form-certificate-pin').textContent).toBe(`SHA-256 ${trusted}`);
    invokeMock.mockResolvedValueOnce({ result: 'failed', reason: 'not the one you trusted', presentedCertificate: renewed });
    await fireEvent.click(screen.getByTestId('server-test'));
    await waitFor(() => expect(screen.getByTestId('server-test-certificate').textContent).toContain('someone may be in the middle'));
    expect(screen.getByTestId('server-test-certificate').textContent).toContain('Enter the password or API key again');
    await fireEvent.click(screen.getByTestId('server-form-certificate-forget'));
    expect(screen.queryByTestId('server-form-certificate')).toBeNull();
    invokeMock.mockResolvedValueOnce({ ...HOME });
    await fireEvent.submit(screen.getByTestId('server-form'));
    expect(invokeMock).toHaveBeenLastCalledWith('save_server', { server: expect.objectContaining({ certificatePin: null }) });
  });

  it('edits without resending the password, shows refusals, removes and reorders', async () => {
    load({ servers: [HOME], order: [] });
    render(ServersSettings);
    await fireEvent.click(screen.getByTestId('server-edit'));
    expect((screen.getByTestId('server-form-secret') as HTMLInputElement).value).toBe('');
    invokeMock.mockRejectedValueOnce('invalid server address "x": relative URL without a base');
    await fireEvent.submit(screen.getByTestId('server-form'));
    await waitFor(() => expect(screen.getByTestId('server-form-error').textContent).toContain('invalid server address'));
    expect(invokeMock).toHaveBeenLastCalledWith('save_server', {
      server: { id: 's1', name: 'Home', baseUrl: 'http://127.0.0.1:4040', user: 'ann', auth: 'password', secret: null, certificatePin: null, legacyPasswordAuth: false, enabled: true },
    });

    // A bitrate cap goes with the save; "Original file" takes it away again.
    const quality = screen.getByTestId('server-form-quality') as HTMLSelectElement;
    expect(quality.value).toBe('0');
    await fireEvent.change(quality, { target: { value: '192' } });
    await fireEvent.submit(screen.getByTestId('server-form'));
    expect(invokeMock).toHaveBeenLastCalledWith('save_server', {
      server: expect.objectContaining({ id: 's1', maxBitRateKbps: 192 }),
    });
    await waitFor(() => expect(screen.queryByTestId('server-form')).toBeNull());
    await fireEvent.click(screen.getByTestId('server-edit'));
    await fireEvent.change(screen.getByTestId('server-form-quality'), { target: { value: '0' } });
    await fireEvent.submit(screen.getByTestId('server-form'));
    expect((invokeMock.mock.lastCall?.[1] as { server: { maxBitRateKbps?: number } }).server.maxBitRateKbps).toBeUndefined();
    await waitFor(() => expect(screen.queryByTestId('server-form')).toBeNull());

    await fireEvent.click(screen.getByRole('button', { name: 'Move Home up' }));
    expect(invokeMock).toHaveBeenLastCalledWith('set_source_order', { order: ['subsonic:s1', 'library'] });
    await fireEvent.click(screen.getByTestId('server-remove'));
    expect(invokeMock).toHaveBeenLastCalledWith('remove_server', { id: 's1' });
  });

  it('the legacy password method is off until ticked, warned about in en and zh-CN, and sent with test and save', async () => {
    load({ servers: [HOME], order: [] });
    render(ServersSettings);
    await fireEvent.click(screen.getByTestId('server-edit'));
    const box = screen.getByTestId('server-form-legacy-auth') as HTMLInputElement;
    expect(box.checked).toBe(false);
    const hint = screen.getByTestId('server-form-legacy-auth-hint');
    expect(hint.textContent).toContain('anyone who can see the connection can read it');
    expect(hint.classList.contains('warning')).toBe(false);

    await fireEvent.click(box);
    expect(hint.classList.contains('warning')).toBe(true);
    invokeMock.mockResolvedValueOnce({ result: 'ok', auth: 'LegacyPassword' });
    await fireEvent.click(screen.getByTestId('server-test'));
    expect(invokeMock).toHaveBeenLastCalledWith('test_server', {
      server: expect.objectContaining({ id: 's1', legacyPasswordAuth: true }),
    });
    await waitFor(() => expect(screen.getByTestId('server-test-result').dataset.result).toBe('ok'));
    invokeMock.mockResolvedValueOnce({ ...HOME, legacyPasswordAuth: true });
    await fireEvent.submit(screen.getByTestId('server-form'));
    expect(invokeMock).toHaveBeenLastCalledWith('save_server', {
      server: expect.objectContaining({ id: 's1', legacyPasswordAuth: true }),
    });
    await waitFor(() => expect(screen.queryByTestId('server-form')).toBeNull());

    // A server saved with it shows it ticked; an API key has no password to send.
    load({ servers: [{ ...HOME, legacyPasswordAuth: true }], order: [] });
    await fireEvent.click(screen.getByTestId('server-edit'));
    expect((screen.getByTestId('server-form-legacy-auth') as HTMLInputElement).checked).toBe(true);
    await fireEvent.change(screen.getByTestId('server-form-auth'), { target: { value: 'apiKey' } });
    expect(screen.queryByTestId('server-form-legacy-auth')).toBeNull();
  });

  it('warns about the legacy password method in Chinese', async () => {
    const snapshot = makeSnapshot();
    player.load({ ...snapshot, settings: { ...snapshot.settings, locale: 'zh-CN', sources: { servers: [], order: [] } } });
    render(ServersSettings);
    await fireEvent.click(screen.getByTestId('server-add'));
    expect(screen.getByTestId('server-form-legacy-auth').closest('label')?.textContent).toContain('允许旧式密码验证');
    expect(screen.getByTestId('server-form-legacy-auth-hint').textContent).toContain('仅做十六进制编码');
  });
});
