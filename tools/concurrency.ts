import { availableParallelism } from 'node:os';

/** Runs `task` over `items` with at most `limit` at once; results keep the input order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit: number = availableParallelism(),
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** A gate that lets at most `limit` calls run at once; the others wait their turn, first come first served. */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so `running` counts it still taken.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
