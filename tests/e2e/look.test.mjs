// The window's look and its accessibility, through the real app (WebKitGTK over WebDriver):
// the names and roles a screen reader gets (the browser's computed label and role), the
// keyboard shortcuts overlay, a theme chosen in Settings reaching every window and the
// settings file, and the desktop's font named to each window's page.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { launch, libraryRowsWhen, nowPlaying, tempDir, until } from './lib/app.mjs';
import { makeTone } from './lib/audio.mjs';

/** Switch WebDriver to the window whose page has `selector`; returns the main window's handle. */
async function switchToWindowWith(browser, selector) {
  const main = await browser.getWindowHandle();
  await until(`a window with ${selector}`, async () => {
    for (const handle of await browser.getWindowHandles()) {
      await browser.switchToWindow(handle);
      if (await (await browser.$(selector)).isExisting()) return true;
    }
    await browser.switchToWindow(main);
    return false;
  });
  return main;
}

const activeTestId = (browser) => browser.execute(() => document.activeElement?.getAttribute('data-testid') ?? null);
const rootLook = (browser) =>
  browser.execute(() => ({
    theme: document.documentElement.dataset.theme,
    accent: document.documentElement.dataset.accent,
    background: getComputedStyle(document.documentElement).backgroundColor,
    uiFont: getComputedStyle(document.documentElement).getPropertyValue('--ui-font').trim(),
    bodyFont: getComputedStyle(document.body).fontFamily,
  }));

/** The desktop's font as the shell names it to a page: an installed family, not a generic one
 * (which costs WebKitGTK about 90 fontconfig matches for each size and weight). */
function assertNamedFamily(look) {
  const family = /^"([^"]+)"$/.exec(look.uiFont)?.[1];
  assert.ok(family, `--ui-font is ${JSON.stringify(look.uiFont)}`);
  assert.ok(!['sans', 'sans serif', 'sans-serif', 'system-ui', 'serif'].includes(family.toLowerCase()), family);
  assert.ok(look.bodyFont.startsWith(`"${family}"`), look.bodyFont);
}

test('screen readers get a name and a role for every control; ? lists the keys; a theme and the desktop font reach every window', async () => {
  const config = tempDir('lyrebird-look-');
  const music = tempDir('lyrebird-look-music-');
  makeTone(join(music, 'a.flac'), { freq: 440, seconds: 5, title: 'Tone', artist: 'Look' });
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: config, LYREBIRD_NO_DEMO: '1' },
  });
  try {
    await until('the library', async () => (await browser.$$('[data-testid="track-row"]')).length > 0);
    const first = await rootLook(browser);
    assertNamedFamily(first);

    // Names and roles as the browser computes them for assistive technology.
    const expected = {
      'np-prev': 'Previous',
      'np-next': 'Next',
      'np-toggle': 'Play',
      'np-mute': 'Mute',
      'open-shortcuts': 'Shortcuts',
    };
    for (const [testid, name] of Object.entries(expected)) {
      const element = await browser.$(`[data-testid="${testid}"]`);
      assert.equal(await element.getComputedRole(), 'button', testid);
      assert.equal((await element.getComputedLabel()).trim(), name, testid);
    }
    const controls = await browser.$$('nav button, [data-testid="now-playing"] button, [data-testid="now-playing"] input');
    assert.ok(controls.length >= 15, `${controls.length} controls`);
    for (const control of controls) {
      const label = (await control.getComputedLabel()).trim();
      assert.notEqual(label, '', `${await control.getAttribute('data-testid')} has no name`);
    }
    assert.equal(await (await browser.$('[data-testid="np-seek"]')).getComputedRole(), 'slider');

    // `?` opens the shortcuts, with the focus inside; Escape closes and gives it back.
    await (await browser.$('[data-testid="nav-albums"]')).click();
    assert.equal(await activeTestId(browser), 'nav-albums');
    await browser.keys('?');
    const dialog = await browser.$('[data-testid="shortcuts-overlay"]');
    await dialog.waitForExist({ timeout: 5000 });
    assert.equal(await dialog.getComputedRole(), 'dialog');
    assert.equal((await dialog.getComputedLabel()).trim(), 'Keyboard shortcuts');
    assert.equal(await activeTestId(browser), 'shortcuts-close');
    await browser.keys('Tab');
    assert.equal(await activeTestId(browser), 'shortcuts-close', 'Tab stays in the dialog');
    await browser.keys('Escape');
    await until('the overlay closed', async () => !(await dialog.isExisting()));
    assert.equal(await activeTestId(browser), 'nav-albums');

    // A theme and an accent chosen in Settings.
    await (await browser.$('[data-testid="nav-settings"]')).click();
    await (await browser.$('[data-testid="settings-theme"]')).selectByAttribute('value', 'dark');
    await until('dark', async () => (await rootLook(browser)).theme === 'dark');
    await (await browser.$('input.swatch[value="teal"]')).click();
    const look = await until('teal', async () => {
      const now = await rootLook(browser);
      return now.accent === 'teal' && now;
    });
    assert.equal(look.background, 'rgb(28, 28, 30)');
    // Kept by the player in the settings file.
    await until('saved', () => {
      const saved = JSON.parse(readFileSync(join(config, 'settings.json'), 'utf8'));
      return saved.desktop?.appearance?.theme === 'dark' && saved.desktop.appearance.accent === 'teal';
    });

    // The mini player follows.
    await (await browser.$('[data-testid="settings-open-mini"]')).click();
    const main = await switchToWindowWith(browser, '[data-testid="mini-player"]');
    const mini = await until('the mini player dark and teal', async () => {
      const now = await rootLook(browser);
      return now.theme === 'dark' && now.accent === 'teal' && now;
    });
    assert.equal(mini.background, 'rgb(28, 28, 30)');
    assert.equal(mini.uiFont, first.uiFont, 'the mini player is set in the same face');
    assert.equal((await (await browser.$('[data-testid="mini-close"]')).getComputedLabel()).trim(), 'Close the mini player');
    await browser.switchToWindow(main);

    // Back to light from the main window: the mini player follows that too.
    await (await browser.$('[data-testid="settings-theme"]')).selectByAttribute('value', 'light');
    await switchToWindowWith(browser, '[data-testid="mini-player"]');
    await until('the mini player light', async () => (await rootLook(browser)).theme === 'light');
    await browser.switchToWindow(main);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
});

/** The mapped X windows titled exactly `title` (GTK also makes an unmapped leader window with
 * the app's name, which unmapping would not hide anything). */
function windowsTitled(title) {
  try {
    return execFileSync('xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

// What it guards: nothing on the page may move while the window is hidden — a timer of the UI's
// own (a local clock for the position) makes it fail; timers do run in an unmapped WebKitGTK
// view. The player's events themselves did not reach the unmapped view even without the
// store's hold on position events (ui/src/lib/player.svelte.ts, checked by idleCost.test.ts),
// which makes the same true on engines that deliver them.
test('a hidden window redraws nothing for the position, and catches up when shown', async () => {
  const music = tempDir('lyrebird-look-hidden-');
  makeTone(join(music, 'long.flac'), { freq: 440, seconds: 30, title: 'Long', artist: 'Look' });
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  const shown = () => browser.execute(() => document.visibilityState);
  const fill = () => browser.execute(() => document.querySelector('[data-testid="np-seek-fill"]')?.style.transform ?? '');
  try {
    const [row] = await libraryRowsWhen(browser, 1);
    await row.element.doubleClick();
    await until('playing past 1 s', async () => (await nowPlaying(browser)).positionMs > 1000);
    assert.equal(await shown(), 'visible');
    assert.match(await fill(), /^scaleX\(0\.0\d*\)$/);

    const windows = windowsTitled('Lyrebird');
    assert.equal(windows.length, 1, `one main window shown: ${windows}`);
    const [window] = windows;
    execFileSync('xdotool', ['windowunmap', '--sync', window]);
    await until('hidden', async () => (await shown()) === 'hidden');
    const before = await nowPlaying(browser);
    const fillBefore = await fill();
    await new Promise((done) => setTimeout(done, 2000));
    // Two seconds of playing (two position events) changed nothing on the page.
    const during = await nowPlaying(browser);
    assert.equal(during.positionMs, before.positionMs);
    assert.equal(during.status, 'playing');
    assert.equal(await fill(), fillBefore);

    execFileSync('xdotool', ['windowmap', '--sync', window]);
    await until('shown again', async () => (await shown()) === 'visible');
    const after = await until('caught up', async () => {
      const now = await nowPlaying(browser);
      return now.positionMs >= before.positionMs + 1800 && now;
    });
    assert.ok(after.positionMs < before.positionMs + 6000, `${after.positionMs}`);
    assert.notEqual(await fill(), fillBefore);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
});

// WebKitGTK's own scrollbars are overlay ones that fade out over 3 s on a 60 Hz timer each time
// they appear (a list filled, scrolled, the pointer moved over it), repainting the window at
// twice the display's rate meanwhile (issue #19). The page draws classic ones instead: they
// take their width in the layout, which an overlay scrollbar never does.
test('lists scroll with the page’s own scrollbars, not fading overlay ones', async () => {
  const music = tempDir('lyrebird-look-scrollbar-');
  const first = join(music, '000.flac');
  makeTone(first, { freq: 330, seconds: 1, title: 'Row', artist: 'Look' });
  for (let i = 1; i < 120; i++) copyFileSync(first, join(music, `${String(i).padStart(3, '0')}.flac`));
  const { browser, close, log } = await launch({
    env: { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' },
  });
  try {
    const list = await until('a library list longer than its box', async () => {
      const seen = await browser.execute(() => {
        const body = document.querySelector('.tracklist .body');
        return body && { overflows: body.scrollHeight > body.clientHeight, scrollbar: body.offsetWidth - body.clientWidth };
      });
      return seen?.overflows && seen;
    });
    assert.equal(list.scrollbar, 10, `the scrollbar's width in the layout: ${JSON.stringify(list)}`);
  } catch (error) {
    error.message += `\n--- app log ---\n${log.join('')}`;
    throw error;
  } finally {
    await close();
  }
});
