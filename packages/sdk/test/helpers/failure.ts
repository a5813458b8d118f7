import { expect } from 'vitest';
import { OAuthJarError } from '../../src/errors.js';

/** Awaits `p` and returns the OAuthJarError it rejects with; fails the test on success or another error. */
export async function failure(p: Promise<unknown>): Promise<OAuthJarError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthJarError);
    return err as OAuthJarError;
  }
  throw new Error('expected a rejection');
}
