import { describe, expect, it } from 'vitest';
import { makeTrack } from '../test/fixtures';
import type { Track } from './ipc';
import { nextSort, sortTracks, type TrackSort } from './trackSort';

const asc = (column: TrackSort['column']): TrackSort => ({ column, direction: 'ascending' });
const desc = (column: TrackSort['column']): TrackSort => ({ column, direction: 'descending' });
const titles = (tracks: readonly Track[]) => tracks.map((t) => t.title);

describe('nextSort', () => {
  it('sorts a new column ascending and reverses the sorted one', () => {
    expect(nextSort(null, 'title')).toEqual(asc('title'));
    expect(nextSort(asc('title'), 'title')).toEqual(desc('title'));
    expect(nextSort(desc('title'), 'title')).toEqual(asc('title'));
    expect(nextSort(desc('title'), 'album')).toEqual(asc('album'));
  });
});

describe('sortTracks', () => {
  it('leaves the list alone with no sort', () => {
    const tracks = [makeTrack({ title: 'b' }), makeTrack({ title: 'a' })];
    expect(sortTracks(tracks, null, 'en')).toBe(tracks);
  });

  it('sorts titles locale-aware: case and accents do not split letters', () => {
    const tracks = ['Track 2', 'éclair', 'Zebra', 'apple', 'Track 10', 'Eclipse', 'Über'].map((title) =>
      makeTrack({ title }),
    );
    expect(titles(sortTracks(tracks, asc('title'), 'en'))).toEqual([
      'apple',
      'éclair',
      'Eclipse',
      'Track 10',
      'Track 2',
      'Über',
      'Zebra',
    ]);
    expect(titles(sortTracks(tracks, desc('title'), 'en'))).toEqual([
      'Zebra',
      'Über',
      'Track 2',
      'Track 10',
      'Eclipse',
      'éclair',
      'apple',
    ]);
  });

  it('sorts Chinese titles by pinyin under zh-CN', () => {
    // 阿 (ā), 爱 (ài), 北 (běi), 晴 (qíng), 周 (zhōu): code point order would differ.
    const tracks = ['周', '晴天', '北京', '爱', '阿'].map((title) => makeTrack({ title }));
    expect(titles(sortTracks(tracks, asc('title'), 'zh-CN'))).toEqual(['阿', '爱', '北京', '晴天', '周']);
  });

  it('is stable: equal keys keep their order in both directions', () => {
    const a1 = makeTrack({ title: 'one', album: 'Same' });
    const a2 = makeTrack({ title: 'two', album: 'same' }); // equal to "Same" for the collator
    const b = makeTrack({ title: 'three', album: 'Before' });
    const a3 = makeTrack({ title: 'four', album: 'Same' });
    expect(titles(sortTracks([a1, a2, b, a3], asc('album'), 'en'))).toEqual(['three', 'one', 'two', 'four']);
    expect(titles(sortTracks([a1, a2, b, a3], desc('album'), 'en'))).toEqual(['one', 'two', 'four', 'three']);
  });

  it('puts tracks without the value last in both directions', () => {
    const none = makeTrack({ title: 'none', artists: [], album: null, durationMs: null });
    const short = makeTrack({ title: 'short', artists: ['B'], album: 'B', durationMs: 1_000 });
    const long = makeTrack({ title: 'long', artists: ['A', 'Z'], album: 'A', durationMs: 90_000 });
    for (const column of ['artist', 'album', 'duration'] as const) {
      expect(titles(sortTracks([none, short, long], asc(column), 'en')).at(-1), column).toBe('none');
      expect(titles(sortTracks([none, short, long], desc(column), 'en')).at(-1), column).toBe('none');
    }
    expect(titles(sortTracks([none, short, long], asc('duration'), 'en'))).toEqual(['short', 'long', 'none']);
    expect(titles(sortTracks([none, short, long], desc('duration'), 'en'))).toEqual(['long', 'short', 'none']);
    expect(titles(sortTracks([none, short, long], asc('artist'), 'en'))).toEqual(['long', 'short', 'none']);
  });

  it('sorts 100 000 tracks without losing or repeating any', () => {
    const words = ['晴天', 'Hey Jude', 'Yesterday', '七里香', 'Über', 'شمس', 'אור', 'Zebra'];
    const tracks = Array.from({ length: 100_000 }, (_, i) =>
      makeTrack({
        title: `${words[i % words.length]} ${(i * 7919) % 100_000}`,
        artists: [`Artist ${i % 997}`],
        album: `Album ${i % 4001}`,
        durationMs: (i * 104_729) % 600_000,
      }),
    );
    const sorted = sortTracks(tracks, asc('title'), 'en');
    expect(sorted).toHaveLength(tracks.length);
    expect(new Set(sorted.map((t) => t.id)).size).toBe(tracks.length);
    // One assertion for the whole order (100 000 `expect`s took seconds on a busy machine).
    // How fast it sorts is a benchmark's question, not a test's.
    const compare = new Intl.Collator('en', { sensitivity: 'base' }).compare;
    const outOfOrder = sorted.findIndex((track, i) => i > 0 && compare(sorted[i - 1]!.title, track.title) > 0);
    expect(outOfOrder).toBe(-1);
    const byDuration = sortTracks(tracks, desc('duration'), 'en');
    const longerAfter = byDuration.findIndex((track, i) => i > 0 && byDuration[i - 1]!.durationMs! < track.durationMs!);
    expect(longerAfter).toBe(-1);
  }, 30_000);
});
