import { describe, expect, it } from 'vitest';
import { asNeteaseError, darkModules, initials } from './netease';

describe('asNeteaseError', () => {
  it('keeps a NeteaseError as it is, taking only its own fields', () => {
    expect(asNeteaseError({ kind: 'verify', url: 'u', extra: 1 })).toEqual({ kind: 'verify', url: 'u' });
    expect(asNeteaseError({ kind: 'captcha' })).toEqual({ kind: 'captcha' });
    expect(asNeteaseError({ kind: 'unreachable', message: 'down' })).toEqual({ kind: 'unreachable', message: 'down' });
    expect(asNeteaseError({ kind: 'wrongPassword' })).toEqual({ kind: 'wrongPassword' });
    expect(asNeteaseError({ kind: 'invalid', field: 'phone' })).toEqual({ kind: 'invalid', field: 'phone' });
  });

  it('never passes on a login field it does not know', () => {
    expect(asNeteaseError({ kind: 'invalid', field: 'innerHTML' })).toEqual({ kind: 'other', message: 'invalid innerHTML' });
  });

  it('words anything else as "other"', () => {
    expect(asNeteaseError('no such command')).toEqual({ kind: 'other', message: 'no such command' });
    expect(asNeteaseError(new Error('boom'))).toEqual({ kind: 'other', message: 'boom' });
    expect(asNeteaseError({ kind: 'surprise' })).toEqual({ kind: 'other', message: '[object Object]' });
    expect(asNeteaseError({ kind: 'other', message: 42 })).toEqual({ kind: 'other', message: '' });
  });
});

describe('darkModules', () => {
  it('places each dark module by column and row', () => {
    expect(darkModules({ size: 2, modules: [true, false, false, true] })).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ]);
  });

  it('draws nothing past size × size', () => {
    expect(darkModules({ size: 1, modules: [true, true, true] })).toHaveLength(1);
    expect(darkModules({ size: 3, modules: [true] })).toHaveLength(1);
  });
});

describe('initials', () => {
  it('is the first letter, whole', () => {
    expect(initials('  ann')).toBe('A');
    expect(initials('云村')).toBe('云');
    expect(initials('😀x')).toBe('😀');
    expect(initials('')).toBe('?');
  });
});
