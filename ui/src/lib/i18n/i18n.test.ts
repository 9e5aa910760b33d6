import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';
import { interpolate, locale, localeFromSystem, resolveLocale, t, tn, translate } from './index.svelte';
import { player } from '../player.svelte';
import { makeSnapshot } from '../../test/fixtures';

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

describe('dictionaries', () => {
  it('have the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same placeholders for each key', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('have no empty messages', () => {
    for (const dict of [en, zhCN]) {
      for (const [key, value] of Object.entries(dict)) expect(value.trim(), key).not.toBe('');
    }
  });
});

describe('interpolation', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'notice.cannotPlay', { name: 'a.mp3', reason: 'bad' })).toBe('Cannot play a.mp3: bad');
    expect(translate('zh-CN', 'notice.cannotPlay', { name: 'a.mp3', reason: 'bad' })).toBe('无法播放 a.mp3：bad');
  });

  it('leaves unknown placeholders and does not re-expand values', () => {
    expect(interpolate('{a} {b}', { a: '{b}' })).toBe('{b} {b}');
    expect(interpolate('x {missing}', {})).toBe('x {missing}');
    expect(interpolate('{n}', { n: 0 })).toBe('0');
  });
});

describe('locale resolution', () => {
  it('maps system locales: zh* → zh-CN, anything else → en', () => {
    expect(localeFromSystem('zh-CN')).toBe('zh-CN');
    expect(localeFromSystem('zh-Hans-CN')).toBe('zh-CN');
    expect(localeFromSystem('zh-TW')).toBe('zh-CN');
    expect(localeFromSystem('zh')).toBe('zh-CN');
    expect(localeFromSystem('ZH_cn')).toBe('zh-CN');
    expect(localeFromSystem('en-US')).toBe('en');
    expect(localeFromSystem('de-DE')).toBe('en');
    expect(localeFromSystem('')).toBe('en');
    expect(localeFromSystem(null)).toBe('en');
  });

  it('prefers the explicit setting over the system', () => {
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
    expect(resolveLocale('zh-CN', 'en-US')).toBe('zh-CN');
    expect(resolveLocale('system', 'zh-CN')).toBe('zh-CN');
    expect(resolveLocale('system', 'fr-FR')).toBe('en');
  });

  it('t follows the snapshot and settings events', () => {
    player.load(
      makeSnapshot({
        settings: { locale: 'system', volume: 1, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } },
        systemLocale: 'zh-Hans-CN',
        view: { view: '', scroll: [] },
    notices: [],
      }),
    );
    flushSync();
    expect(locale()).toBe('zh-CN');
    expect(t('nav.library')).toBe('音乐库');
    player.receive({
      type: 'settings',
      payload: { locale: 'en', volume: 1, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } },
    });
    flushSync();
    expect(locale()).toBe('en');
    expect(t('nav.library')).toBe('Library');
    expect(t('device.unavailable', { reason: 'gone' })).toBe('No audio output device: gone');
  });

  it('has plurals', () => {
    player.load(
      makeSnapshot({ settings: { locale: 'en', volume: 1, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } } }),
    );
    expect(tn('library.count', 1)).toBe('1 track');
    expect(tn('library.count', 2)).toBe('2 tracks');
    expect(tn('library.count', 12345)).toBe('12,345 tracks');
    player.load(
      makeSnapshot({
        settings: { locale: 'zh-CN', volume: 1, replayGain: 'track', outputDevice: null, crossfadeMs: 0, sources: { servers: [], order: [] }, desktop: { closeToTray: true, startInTray: false, notifyTrackChange: false, miniAlwaysOnTop: true, lyricsClickThrough: false, appearance: { theme: 'system', accent: 'orange' }, shortcuts: { enabled: true, playPause: 'CmdOrCtrl+Alt+P', next: 'CmdOrCtrl+Alt+Right', previous: 'CmdOrCtrl+Alt+Left', volumeUp: 'CmdOrCtrl+Alt+Up', volumeDown: 'CmdOrCtrl+Alt+Down', showWindow: 'CmdOrCtrl+Alt+M' } } },
      }),
    );
    expect(tn('library.count', 1)).toBe('1 首曲目');
  });
});
