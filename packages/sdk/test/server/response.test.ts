import { describe, expect, it } from 'vitest';
import {
  AuthorizationRequestError,
  ClientMetadataError,
  OAuthJarError,
  authorizationErrorResponse,
  validateClientMetadata,
} from '../../src/server.js';

const objectError = () => new AuthorizationRequestError('invalid_request_object', 'aud', 'the request object\'s aud is not this server\'s issuer');

describe('authorizationErrorResponse', () => {
  it('redirects with error, error_description, state and iss once the redirect_uri is validated (RFC 6749 §4.1.2.1, RFC 9207)', () => {
    const res = authorizationErrorResponse(objectError(), { redirectUri: 'https://client.example.org/cb?x=1', state: 's1', issuer: 'https://as.example.com' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://client.example.org/cb');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      x: '1',
      error: 'invalid_request_object',
      error_description: 'the request object\'s aud is not this server\'s issuer',
      state: 's1',
      iss: 'https://as.example.com',
    });
  });

  it('puts the parameters in the fragment for response_mode=fragment', () => {
    const res = authorizationErrorResponse(objectError(), { redirectUri: 'https://client.example.org/cb', responseMode: 'fragment' });
    const location = new URL(res.headers.get('location')!);
    expect(location.search).toBe('');
    expect(new URLSearchParams(location.hash.slice(1)).get('error')).toBe('invalid_request_object');
  });

  it('never redirects for an unknown client, even when given a redirect_uri', async () => {
    const err = new AuthorizationRequestError('invalid_client', 'client', 'the client_id does not name a registered client');
    const res = authorizationErrorResponse(err, { redirectUri: 'https://attacker.example/cb' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'the client_id does not name a registered client' });
  });

  it('answers 400 JSON without a validated redirect_uri', async () => {
    const res = authorizationErrorResponse(objectError());
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect((await res.json()).error).toBe('invalid_request_object');
  });

  it('answers an escaped HTML page on request', async () => {
    const err = new AuthorizationRequestError('invalid_request', 'client_id', '<script>alert(1)</script>');
    const res = authorizationErrorResponse(err, { format: 'html' });
    const body = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(body).not.toContain('<script>');
    expect(body).toContain('&lt;script&gt;');
  });

  it('turns anything else into a 500 server_error that reveals nothing', async () => {
    const res = authorizationErrorResponse(new Error('password=hunter2'));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('server_error');
    expect(text).not.toContain('hunter2');
  });
});

describe('AuthorizationRequestError', () => {
  it('is an OAuthJarError with code ERR_AUTHORIZATION_REQUEST, error, error_description, status and check', () => {
    const err = objectError();
    expect(err).toBeInstanceOf(OAuthJarError);
    expect(err).toMatchObject({ code: 'ERR_AUTHORIZATION_REQUEST', error: 'invalid_request_object', status: 400, check: 'aud', name: 'AuthorizationRequestError' });
  });
});

describe('validateClientMetadata (registration time)', () => {
  const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };
  const fails = (metadata: Record<string, unknown>, field: string, policy = {}) => {
    try {
      validateClientMetadata(metadata, policy);
    } catch (err) {
      expect(err).toBeInstanceOf(ClientMetadataError);
      expect((err as ClientMetadataError).error).toBe('invalid_client_metadata');
      expect((err as ClientMetadataError).field).toBe(field);
      return;
    }
    throw new Error('expected the metadata to be refused');
  };

  it('accepts a complete, consistent registration', () => {
    const m = {
      jwks,
      request_object_signing_alg: 'ES256',
      request_object_encryption_alg: 'RSA-OAEP-256',
      request_object_encryption_enc: 'A256GCM',
      request_uris: ['https://client.example.org/ro/'],
      require_signed_request_object: true,
    };
    expect(validateClientMetadata(m)).toBe(m);
  });

  it('refuses an unsupported or non-string request_object_signing_alg', () => {
    fails({ jwks, request_object_signing_alg: 'none' }, 'request_object_signing_alg', { request_object_signing_alg_values_supported: ['ES256'] });
    fails({ jwks, request_object_signing_alg: 'XS256' }, 'request_object_signing_alg');
    fails({ jwks, request_object_signing_alg: 5 }, 'request_object_signing_alg');
  });

  it('refuses RS256 under FAPI 2', () => fails({ jwks, request_object_signing_alg: 'RS256' }, 'request_object_signing_alg', { profile: 'fapi2' }));
  it('refuses HS256 without a client_secret', () => fails({ request_object_signing_alg: 'HS256' }, 'request_object_signing_alg'));
  it('refuses an asymmetric alg without jwks or jwks_uri', () => fails({ request_object_signing_alg: 'ES256' }, 'request_object_signing_alg'));
  it('refuses jwks and jwks_uri together (RFC 7591 §2)', () => fails({ jwks, jwks_uri: 'https://c.example/jwks' }, 'jwks'));
  it('refuses private keys in jwks', () => fails({ jwks: { keys: [{ kty: 'EC', d: 'secret' }] } }, 'jwks'));
  it('refuses an http jwks_uri', () => fails({ jwks_uri: 'http://c.example/jwks' }, 'jwks_uri'));
  it('refuses RSA1_5 as request_object_encryption_alg', () => fails({ request_object_encryption_alg: 'RSA1_5' }, 'request_object_encryption_alg'));
  it('refuses enc without alg (OIDC Registration §2)', () => fails({ request_object_encryption_enc: 'A256GCM' }, 'request_object_encryption_enc'));
  it('refuses an unknown enc', () => fails({ request_object_encryption_alg: 'RSA-OAEP-256', request_object_encryption_enc: 'A1GCM' }, 'request_object_encryption_enc'));
  it('refuses a non-boolean require_signed_request_object', () => fails({ require_signed_request_object: 'yes' }, 'require_signed_request_object'));
  it('refuses none together with require_signed_request_object', () =>
    fails({ request_object_signing_alg: 'none', require_signed_request_object: true }, 'request_object_signing_alg', { request_object_signing_alg_values_supported: ['none', 'ES256'] }));
  it('refuses http and relative request_uris', () => {
    fails({ request_uris: ['http://c.example/ro'] }, 'request_uris');
    fails({ request_uris: ['/ro'] }, 'request_uris');
    fails({ request_uris: 'https://c.example/ro' }, 'request_uris');
  });
});
