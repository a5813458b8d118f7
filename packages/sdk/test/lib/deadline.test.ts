import { afterEach, describe, expect, it, vi } from 'vitest';
import { withDeadline } from '../../src/lib/deadline.js';

describe('withDeadline', () => {
  afterEach(() => vi.restoreAllMocks());

  it('arms no timer for a synchronous answer or an already-settled promise', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    expect(await withDeadline(() => 1, 50, 'store')).toBe(1);
    expect(await withDeadline(async () => 2, 50, 'store')).toBe(2);
    expect(await withDeadline(() => Promise.resolve(3), 50, 'store')).toBe(3);
    await expect(withDeadline(() => Promise.reject(new Error('down')), 50, 'store')).rejects.toThrow('down');
    expect(timers).not.toHaveBeenCalled();
  });

  it('still times out a store that does not answer, and waits for one that answers in time', async () => {
    await expect(withDeadline(() => new Promise(() => {}), 30, 'the store')).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    await expect(withDeadline(() => new Promise((ok) => setTimeout(() => ok('late but in time'), 5)), 2000, 'the store')).resolves.toBe(
      'late but in time',
    );
    // A promise resolved with another promise settles only after the probe: it is raced against the timer.
    await expect(withDeadline(async () => new Promise(() => {}), 30, 'the store')).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  });
});
