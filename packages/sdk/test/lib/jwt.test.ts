import { describe, expect, it } from 'vitest';
import { isCompactJwe, isCompactJws, isCompactJwt, MAX_REQUEST_OBJECT_LIFETIME } from '../../src/lib/jwt.js';

describe('compact JWT shape (RFC 7515 §7.1, RFC 7516 §7.1)', () => {
  it('a JWS has 3 base64url segments, a JWE 5', () => {
    expect(isCompactJws('eyJh.eyJi.c2ln')).toBe(true);
    expect(isCompactJws('eyJh.eyJi.')).toBe(true); // unsigned: empty signature
    expect(isCompactJwe('a.b.c.d.e')).toBe(true);
    expect(isCompactJwe('a..c.d.e')).toBe(true); // dir: empty encrypted key
    expect(isCompactJwt('a.b.c')).toBe(true);
    expect(isCompactJwt('a.b.c.d.e')).toBe(true);
  });

  it('other segment counts and characters outside base64url are refused', () => {
    for (const bad of ['', 'a.b', 'a.b.c.d', 'a.b.c.d.e.f', 'a+b.c.d', 'a/b.c.d', 'a=.b.c', 'a.b.c\n', ' a.b.c', 'a.b.c\u00e9', 'a.b.\u0000', 'a.b.c:', 'a.b.c[', 'a.b.c`', 'a.b.c{']) {
      expect(isCompactJwt(bad), bad).toBe(false);
    }
    expect(isCompactJws('a.b.c.d.e')).toBe(false);
    expect(isCompactJwe('a.b.c')).toBe(false);
  });

  it('a request object lives at most 60 minutes (FAPI 1.0 Advanced §5.2.2-13)', () => {
    expect(MAX_REQUEST_OBJECT_LIFETIME).toBe(3600);
  });
});
