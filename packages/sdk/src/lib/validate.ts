import { OAuthJarError } from '../errors.js';

export function invalid(message: string): OAuthJarError {
  return new OAuthJarError('ERR_INVALID_ARGUMENT', message);
}

export function assertNonEmptyString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`${what} must be a non-empty string, got ${describe(value)}`);
  }
}

/** A short, secret-free description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof URL) return 'a URL';
  switch (typeof value) {
    case 'string':
      return value.length === 0 ? 'an empty string' : 'a string';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/**
 * Parses an absolute URL. `what` names the argument in the error; `schemes` restricts the scheme
 * (e.g. `['https:', 'http:']` for endpoints). Fragments are refused where the spec forbids them.
 */
export function absoluteUrl(
  value: unknown,
  what: string,
  opts: { schemes?: readonly string[]; fragment?: boolean } = {},
): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new OAuthJarError('ERR_INVALID_URL', `${what} must be an absolute URL string, got ${describe(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new OAuthJarError('ERR_INVALID_URL', `${what} must be an absolute URL, got a relative or malformed value`, { cause });
  }
  if (opts.schemes && !opts.schemes.includes(url.protocol)) {
    throw new OAuthJarError('ERR_INVALID_URL', `${what} must use ${opts.schemes.join(' or ')}, got ${url.protocol}`);
  }
  if (opts.fragment === false && url.hash !== '') {
    throw new OAuthJarError('ERR_INVALID_URL', `${what} must not contain a fragment`);
  }
  return url;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A deep copy through JSON, which also proves the value is JSON (no functions, cycles, BigInt). */
export function jsonCopy<T>(value: T, what: string): T {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new OAuthJarError('ERR_INVALID_ARGUMENT', `${what} must be JSON-serializable`, { cause });
  }
  if (text === undefined) throw invalid(`${what} must be JSON-serializable`);
  return JSON.parse(text) as T;
}
