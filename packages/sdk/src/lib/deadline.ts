import { OAuthJarError } from '../errors.js';
import { invalid } from './validate.js';

/** The deadline of a store call when the caller sets none: long enough for a healthy shared store, short enough to fail closed at once. */
const DEFAULT_STORE_TIMEOUT = 1000;

/** Validates a `storeTimeout` option (milliseconds). */
export function storeTimeoutOption(value: unknown): number {
  const ms = value ?? DEFAULT_STORE_TIMEOUT;
  if (!Number.isSafeInteger(ms) || (ms as number) < 1 || (ms as number) > 60_000) {
    throw invalid('storeTimeout must be an integer number of milliseconds between 1 and 60000');
  }
  return ms as number;
}

/** What {@link withDeadline}'s probe resolves to: the store's promise had not settled yet. */
const PENDING: unique symbol = Symbol('pending');
const pending: Promise<typeof PENDING> = Promise.resolve(PENDING);

/**
 * Calls a store and waits for it at most `ms` milliseconds. A store that never answers (node-redis
 * queues commands while it is disconnected) rejects with `ERR_TIMEOUT` instead of holding the
 * caller. A synchronous store, or an async one whose promise has already settled (an in-memory
 * store, a cache hit), answers without a timer: arming and clearing one per call is most of the
 * cost of such a lookup. The late answer is ignored.
 */
export async function withDeadline<T>(call: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  const result = call();
  if (!(result instanceof Promise) && !isThenable(result)) return result;
  if (result instanceof Promise) {
    // A settled native promise queues its reaction as soon as `race` subscribes, before the
    // already-resolved probe's: it wins (or rejects) here. A pending one loses to the probe.
    const first = await Promise.race([result as Promise<T>, pending]);
    if (first !== PENDING) return first as T;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OAuthJarError('ERR_TIMEOUT', `${what} did not answer within ${ms} ms`)), ms);
  });
  // The late promise must not become an unhandled rejection once the deadline has won.
  Promise.resolve(result).catch(() => {});
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
