// "The latest request wins": for views that ask the backend again whenever something changes
// (the library, a query, a tab), answers can come back out of order. Each `run` supersedes the
// requests before it, and a superseded request's answer or error is dropped, so a slow old
// answer never replaces a newer one on screen.

export interface Latest {
  /**
   * Waits for `request`; calls `onAnswer` (or `onError`) only if no later `run` or `drop`
   * came meanwhile. `onSettled` runs after either, under the same condition.
   */
  run<T>(
    request: Promise<T>,
    onAnswer: (value: T) => void,
    onError?: (error: unknown) => void,
    onSettled?: () => void,
  ): void;
  /** Supersedes whatever is on its way (its answer will be dropped). */
  drop(): void;
}

export function latest(): Latest {
  let current = 0;
  return {
    run(request, onAnswer, onError, onSettled) {
      const mine = ++current;
      request.then(
        (value) => {
          if (mine !== current) return;
          onAnswer(value);
          onSettled?.();
        },
        (error: unknown) => {
          if (mine !== current) return;
          onError?.(error);
          onSettled?.();
        },
      );
    },
    drop() {
      current++;
    },
  };
}
