import { describe, expect, it } from 'vitest';
import { latest } from './latest';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('latest', () => {
  it('keeps only the answer to the newest request, whatever order they come back in', async () => {
    const seen: string[] = [];
    const requests = latest();
    const slow = deferred<string>();
    const fast = deferred<string>();
    requests.run(slow.promise, (v) => seen.push(v), undefined, () => seen.push('settled'));
    requests.run(fast.promise, (v) => seen.push(v), undefined, () => seen.push('settled'));
    fast.resolve('new');
    await tick();
    slow.resolve('old');
    await tick();
    expect(seen).toEqual(['new', 'settled']);
  });

  it('drops errors of superseded requests and everything after drop()', async () => {
    const errors: unknown[] = [];
    const answers: string[] = [];
    const requests = latest();
    const first = deferred<string>();
    requests.run(first.promise, (v) => answers.push(v), (e) => errors.push(e));
    const second = deferred<string>();
    requests.run(second.promise, (v) => answers.push(v), (e) => errors.push(e));
    first.reject('old failure');
    second.reject('new failure');
    await tick();
    expect(errors).toEqual(['new failure']);
    const third = deferred<string>();
    requests.run(third.promise, (v) => answers.push(v));
    requests.drop();
    third.resolve('too late');
    await tick();
    expect(answers).toEqual([]);
  });
});
