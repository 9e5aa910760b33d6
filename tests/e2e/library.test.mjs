// The library index through the real app: a file added while it runs appears, search for a
// CJK title as you type, play it, and find the library again (from the index) on the next start.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { launch, libraryRows, libraryRowsWhen, nowPlaying, tempDir, until } from './lib/app.mjs';
import { makeTone } from './lib/audio.mjs';

test('a file added while the app runs appears; search for a CJK title as you type, play it; the library is remembered across starts', async () => {
  const music = tempDir('lyrebird-library-');
  makeTone(join(music, '1.flac'), { freq: 330, seconds: 5, title: '晴天', artist: '周杰伦', album: '叶惠美' });
  makeTone(join(music, '2.flac'), { freq: 440, seconds: 5, title: '七里香', artist: '周杰伦', album: '七里香' });
  makeTone(join(music, '3.mp3'), { freq: 550, seconds: 5, title: 'Hey Jude', artist: 'The Beatles' });
  const env = { LYREBIRD_LIBRARY_DIRS: music, LYREBIRD_CONFIG_DIR: tempDir(), LYREBIRD_NO_DEMO: '1' };

  const first = await launch({ env });
  try {
    await libraryRowsWhen(first.browser, 3);
    // A file copied in while the app runs shows up by itself (the folder is watched).
    makeTone(join(music, '4.ogg'), { freq: 660, seconds: 2, title: '夜曲', artist: '周杰伦' });
    await libraryRowsWhen(first.browser, 4);
    const search = await first.browser.$('[data-testid="library-search"]');
    await search.setValue('晴');
    const rows = await until('one match for 晴', async () => {
      const found = await libraryRows(first.browser);
      return found.length === 1 && found;
    });
    assert.equal(rows[0].title, '晴天');
    // Artist text matches too, and a longer query narrows it again.
    await search.setValue('杰伦');
    await until('three matches for 杰伦', async () => (await libraryRows(first.browser)).length === 3);
    await search.setValue('jude');
    const jude = await until('Hey Jude', async () => {
      const found = await libraryRows(first.browser);
      return found.length === 1 && found[0].title === 'Hey Jude' && found;
    });
    await jude[0].element.doubleClick();
    await until('Hey Jude playing', async () => {
      const np = await nowPlaying(first.browser);
      return np.status === 'playing' && np.trackId === jude[0].id;
    });
  } catch (error) {
    error.message += `\n--- app log ---\n${first.log.join('')}`;
    throw error;
  } finally {
    await first.close();
  }

  // Second start: the library comes from the index, and search still works.
  const second = await launch({ env });
  try {
    await libraryRowsWhen(second.browser, 4);
    const search = await second.browser.$('[data-testid="library-search"]');
    await search.setValue('七里');
    const rows = await until('七里香', async () => {
      const found = await libraryRows(second.browser);
      return found.length === 1 && found;
    });
    assert.equal(rows[0].title, '七里香');
  } finally {
    await second.close();
  }
});
