// verify() takes what Express, Koa, Hono and Fastify hand over; the registered parameters come
// back typed whatever carried them; ClientMetadataError names invalid_redirect_uri.
import { describe, expect, it } from 'vitest';
import { ClientMetadataError, validateClientMetadata } from '../../src/server.js';
import { CLIENT_ID, claims, makeVerifier, query, refusal, sign, useKeys } from '../helpers/verifier-fixtures.js';

const keys = useKeys();

describe('framework query objects', () => {
  it('Express (qs ParsedQs), Koa (ParsedUrlQuery), Hono (query() / queries()) objects are verified like URLSearchParams', async () => {
    const verifier = makeVerifier(keys);
    const request = await sign(claims(), keys.es256.privateKey);
    const express: Record<string, unknown> = { client_id: CLIENT_ID, request };
    const koa: Record<string, string | string[] | undefined> = { client_id: CLIENT_ID, request, unused: undefined };
    const honoQueries: Record<string, string[]> = { client_id: [CLIENT_ID], request: [request] };
    for (const input of [express, koa, honoQueries]) {
      await expect(verifier.verify(input)).resolves.toMatchObject({ clientId: CLIENT_ID });
    }
  });

  it('nested values (qs parses a[b]=c into an object) are refused with invalid_request, not a crash', async () => {
    const verifier = makeVerifier(keys);
    const err = await refusal(verifier, { client_id: CLIENT_ID, request: { nested: 'x' } } as never);
    expect(err).toMatchObject({ error: 'invalid_request', redirectable: false });
    const deep = await refusal(verifier, { client_id: [CLIENT_ID, { a: 'b' }] } as never);
    expect(deep.error).toBe('invalid_request');
  });
});

describe('typed parameters', () => {
  it('a plain request\'s max_age, claims and authorization_details get their JSON types', async () => {
    const verifier = makeVerifier(keys);
    const { parameters } = await verifier.verify(
      query({
        client_id: CLIENT_ID,
        response_type: 'code',
        max_age: '0',
        claims: '{"id_token":{"acr":null}}',
        authorization_details: '[{"type":"payment"}]',
        resource: ['https://rs1.example', 'https://rs2.example'],
      }),
    );
    expect(parameters.max_age).toBe(0);
    expect(parameters.claims).toEqual({ id_token: { acr: null } });
    expect(parameters.authorization_details).toEqual([{ type: 'payment' }]);
    expect(parameters.resource).toEqual(['https://rs1.example', 'https://rs2.example']);
  });

  it('a value that cannot have its registered type is refused (invalid_request), the __proto__ trick included', async () => {
    const verifier = makeVerifier(keys);
    for (const [name, value] of [['max_age', 'soon'], ['max_age', '-1'], ['claims', '[1]'], ['claims', 'not json'], ['authorization_details', '{"type":"x"}'], ['claims', '{"__proto__":{"x":1}}']]) {
      const err = await refusal(verifier, query({ client_id: CLIENT_ID, response_type: 'code', [name!]: value! }));
      expect(err, `${name}=${value}`).toMatchObject({ error: 'invalid_request', check: 'claim_type' });
    }
  });

  it('a request object\'s typed values are kept as they are', async () => {
    const verifier = makeVerifier(keys);
    const request = await sign(claims({ max_age: 60, claims: { userinfo: { email: null } } }), keys.es256.privateKey);
    const { parameters } = await verifier.verify(query({ client_id: CLIENT_ID, request }));
    expect(parameters).toMatchObject({ max_age: 60, claims: { userinfo: { email: null } } });
  });
});

describe('ClientMetadataError.error', () => {
  it('invalid_redirect_uri for redirect_uris (RFC 7591 §3.2.2), invalid_client_metadata for the rest', () => {
    const errorOf = (metadata: Record<string, unknown>) => {
      try {
        validateClientMetadata(metadata);
      } catch (err) {
        expect(err).toBeInstanceOf(ClientMetadataError);
        return (err as ClientMetadataError).error;
      }
      return undefined;
    };
    expect(errorOf({ redirect_uris: ['https://rp.example/cb#frag'] })).toBe('invalid_redirect_uri');
    expect(errorOf({ redirect_uris: ['/relative'] })).toBe('invalid_redirect_uri');
    expect(errorOf({ request_object_signing_alg: 'none', require_signed_request_object: true })).toBe('invalid_client_metadata');
    expect(errorOf({ redirect_uris: ['https://rp.example/cb', 'com.example.app:/cb'] })).toBeUndefined();
  });
});
