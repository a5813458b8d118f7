import { generateKeyPairSync } from 'node:crypto';
import {
  compactDecrypt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  generateSecret,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationRequestBuilder,
  decodeAuthorizationRequest,
  generateCodeVerifier,
  OAuthJarError,
  type RequestUriPublisher,
} from '../../src/index.js';

const ISSUER = 'https://c2id.com';
const NOW = Date.UTC(2030, 0, 1, 0, 0, 0);
const NOW_S = NOW / 1000;

let es256: { privateKey: CryptoKey; publicKey: CryptoKey };
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let rsaEnc: { privateKey: CryptoKey; publicKey: CryptoKey };

beforeAll(async () => {
  es256 = await generateKeyPair('ES256');
  rsa = await generateKeyPair('RS256');
  rsaEnc = await generateKeyPair('RSA-OAEP-256');
});

function base() {
  return new AuthorizationRequestBuilder('code', '123')
    .endpoint('https://c2id.com/login')
    .audience(ISSUER)
    .redirectUri('https://example.com/cb')
    .clock(() => NOW)
    .jti('fixed-jti');
}

async function claimsOf(builder: AuthorizationRequestBuilder) {
  const req = await builder.build();
  return decodeAuthorizationRequest(req.url).claims!;
}

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthJarError);
    return (err as OAuthJarError).code;
  }
  return undefined;
}

describe('the contract snippet', () => {
  it('builds a signed then encrypted request object whose URL carries client_id and request only', async () => {
    const request = await new AuthorizationRequestBuilder('code', '123')
      .endpoint('https://c2id.com/login')
      .audience('https://c2id.com')
      .redirectUri('https://example.com/cb')
      .scope('read', 'write')
      .state('81c33d57-59c7-4b41-9a15-80e2ed1482e2')
      .signWith(rsa.privateKey, { alg: 'RS256', kid: 'client-key-1' })
      .encryptWith(rsaEnc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'as-enc-1' })
      .build();

    expect(request.url).toBeInstanceOf(URL);
    expect(request.url.origin + request.url.pathname).toBe('https://c2id.com/login');
    expect([...request.url.searchParams.keys()]).toEqual(['client_id', 'request']);
    expect(request.url.searchParams.get('client_id')).toBe('123');
    expect(request.url.searchParams.get('request')).toBe(request.requestObject);

    const jweHeader = decodeProtectedHeader(request.requestObject!);
    expect(jweHeader).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'as-enc-1' });
    expect(jweHeader).not.toHaveProperty('zip');

    const { plaintext } = await compactDecrypt(request.requestObject!, rsaEnc.privateKey);
    const jws = new TextDecoder().decode(plaintext);
    const { payload, protectedHeader } = await jwtVerify(jws, rsa.publicKey, {
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'nbf', 'iat', 'jti'],
      issuer: '123',
      audience: 'https://c2id.com',
      typ: 'oauth-authz-req+jwt',
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: 'client-key-1', typ: 'oauth-authz-req+jwt' });
    expect(payload).toMatchObject({
      response_type: 'code',
      client_id: '123',
      redirect_uri: 'https://example.com/cb',
      scope: 'read write',
      state: '81c33d57-59c7-4b41-9a15-80e2ed1482e2',
    });
  });
});

describe('request object claims (RFC 9101 §4)', () => {
  it('carries iss = client_id, aud = issuer, client_id, iat, nbf, exp (5 min) and a jti; never sub', async () => {
    const claims = await claimsOf(base().signWith(es256.privateKey, { alg: 'ES256' }));
    expect(claims).toMatchObject({ iss: '123', aud: ISSUER, client_id: '123', iat: NOW_S, nbf: NOW_S, exp: NOW_S + 300, jti: 'fixed-jti' });
    expect(claims).not.toHaveProperty('sub');
    expect(claims).not.toHaveProperty('request');
    expect(claims).not.toHaveProperty('request_uri');
  });

  it('verifies with jose.jwtVerify under the request object type', async () => {
    const req = await new AuthorizationRequestBuilder('code', 'c1')
      .endpoint('https://as.example.com/authorize')
      .audience('https://as.example.com/')
      .signWith(es256.privateKey, { alg: 'ES256' })
      .build();
    const { payload } = await jwtVerify(req.requestObject!, es256.publicKey, {
      algorithms: ['ES256'],
      typ: 'oauth-authz-req+jwt',
      audience: 'https://as.example.com/',
      issuer: 'c1',
      requiredClaims: ['exp', 'nbf', 'iat', 'jti'],
    });
    expect(payload.aud).toBe('https://as.example.com/'); // trailing slash kept exactly (RFC 8414 §3.3)
  });

  it('makes a fresh random jti of at least 128 bits at every build', async () => {
    const b = new AuthorizationRequestBuilder('code', 'c1')
      .endpoint('https://as.example.com/authorize')
      .audience(ISSUER)
      .signWith(es256.privateKey, { alg: 'ES256' });
    const a = (await b.build()).parameters.jti as string;
    const c = (await b.build()).parameters.jti as string;
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22,}$/); // 16 bytes base64url = 22 chars
  });

  it('honours a custom lifetime, issuer, audience array, jti function and clock', async () => {
    let n = 0;
    const claims = await claimsOf(
      base()
        .issuer('custom-iss')
        .audience([ISSUER, 'https://other.example'])
        .expiresIn(3600)
        .jti(() => `j${++n}`)
        .clock(() => new Date(NOW))
        .signWith(es256.privateKey, { alg: 'ES256' }),
    );
    expect(claims).toMatchObject({ iss: 'custom-iss', aud: [ISSUER, 'https://other.example'], exp: NOW_S + 3600, jti: 'j1' });
  });

  it('is deterministic with an injected clock and jti (apart from the signature)', async () => {
    const a = await base().signWith(es256.privateKey, { alg: 'ES256' }).build();
    const b = await base().signWith(es256.privateKey, { alg: 'ES256' }).build();
    expect(a.requestObject!.split('.').slice(0, 2)).toEqual(b.requestObject!.split('.').slice(0, 2));
  });
});

describe('parameters keep their JSON types inside the object', () => {
  it('puts every Nimbus / OIDC parameter in the object with its JSON type', async () => {
    const verifier = generateCodeVerifier();
    const b = base()
      .scope('openid', 'profile')
      .state('s')
      .responseMode('query')
      .nonce('n-0S6_WzA2Mj')
      .display('popup')
      .prompt('login', 'consent')
      .maxAge(0)
      .uiLocales('fr-CA', 'en')
      .claimsLocales('de')
      .idTokenHint('eyJhbGciOiJub25lIn0.e30.')
      .loginHint('alice@example.com')
      .acrValues('urn:mace:incommon:iap:silver', 'loa2')
      .claims({ id_token: { acr: { essential: true } }, userinfo: { email: null } })
      .codeChallenge(verifier)
      .resource('https://api.example.com/', 'https://files.example.com/')
      .authorizationDetails([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.00' } }])
      .dpopJkt('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I')
      .includeGrantedScopes()
      .purpose('To open your account')
      .param('x_custom', { nested: [1, 2] })
      .signWith(es256.privateKey, { alg: 'ES256' });
    const req = await b.build();
    const claims = decodeAuthorizationRequest(req.url).claims!;
    expect(claims).toMatchObject({
      response_type: 'code',
      scope: 'openid profile',
      state: 's',
      response_mode: 'query',
      nonce: 'n-0S6_WzA2Mj',
      display: 'popup',
      prompt: 'login consent',
      max_age: 0,
      ui_locales: 'fr-CA en',
      claims_locales: 'de',
      id_token_hint: 'eyJhbGciOiJub25lIn0.e30.',
      login_hint: 'alice@example.com',
      acr_values: 'urn:mace:incommon:iap:silver loa2',
      claims: { id_token: { acr: { essential: true } }, userinfo: { email: null } },
      code_challenge_method: 'S256',
      resource: ['https://api.example.com/', 'https://files.example.com/'],
      authorization_details: [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.00' } }],
      dpop_jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I',
      include_granted_scopes: true,
      purpose: 'To open your account',
      x_custom: { nested: [1, 2] },
    });
    expect(typeof claims.max_age).toBe('number');
    expect(req.codeVerifier).toBe(verifier);
  });

  it('computes the PKCE S256 challenge of RFC 7636 Appendix B', async () => {
    const claims = await claimsOf(
      base().codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk').signWith(es256.privateKey, { alg: 'ES256' }),
    );
    expect(claims.code_challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('the challenge is of the last verifier given, also when the builder is reused or changed to plain', async () => {
    const b = base().codeChallenge(generateCodeVerifier()).codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk').signWith(es256.privateKey, { alg: 'ES256' });
    expect((await claimsOf(b)).code_challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect((await claimsOf(b)).code_challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const plain = await claimsOf(b.codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'plain'));
    expect(plain).toMatchObject({ code_challenge: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', code_challenge_method: 'plain' });
  });

  it('a key that does not fit is refused every time it is given, not only the first', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await codeOf(() => base().signWith(es256.publicKey, { alg: 'ES256' }))).toBe('ERR_KEY_MISMATCH');
      expect(await codeOf(() => base().signWith(es256.privateKey, { alg: 'RS256' }))).toBe('ERR_KEY_MISMATCH');
      // the same key with the alg it fits is accepted between the refusals
      expect(() => base().signWith(es256.privateKey, { alg: 'ES256' })).not.toThrow();
    }
  });

  it('keeps a single resource a string', async () => {
    const claims = await claimsOf(base().resource('https://api.example.com/').signWith(es256.privateKey, { alg: 'ES256' }));
    expect(claims.resource).toBe('https://api.example.com/');
  });

  it('generates 43-character code verifiers that differ', () => {
    const a = generateCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateCodeVerifier()).not.toBe(a);
  });

  it('param(name, undefined) removes a parameter; later setters replace earlier values', async () => {
    const claims = await claimsOf(base().param('x', 1).param('x', undefined).scope('a').scope('b').signWith(es256.privateKey, { alg: 'ES256' }));
    expect(claims).not.toHaveProperty('x');
    expect(claims.scope).toBe('b');
  });
});

describe('the authorization URL (RFC 9101 §5)', () => {
  it('keeps the endpoint\'s own query parameters', async () => {
    const req = await new AuthorizationRequestBuilder('code', 'c1')
      .endpoint('https://as.example.com/authorize?tenant=eu')
      .audience(ISSUER)
      .signWith(es256.privateKey, { alg: 'ES256' })
      .build();
    expect([...req.url.searchParams.keys()]).toEqual(['tenant', 'client_id', 'request']);
  });

  it('drops request, request_uri and request_uri_method that the endpoint\'s own query carries: the object is the only source', async () => {
    const req = await new AuthorizationRequestBuilder('code', 'c1')
      .endpoint('https://as.example.com/authorize?request=x&tenant=eu&request_uri=y&request_uri_method=get&client_id=other')
      .audience(ISSUER)
      .signWith(es256.privateKey, { alg: 'ES256' })
      .build();
    expect([...req.url.searchParams.keys()]).toEqual(['tenant', 'client_id', 'request']);
    expect(req.url.searchParams.get('client_id')).toBe('c1');
    expect(req.url.searchParams.get('request')).not.toBe('x');
  });

  it('copies response_type, scope and redirect_uri to the query on request (OIDC Core §6.1)', async () => {
    const req = await base().scope('openid').includeInQuery().signWith(es256.privateKey, { alg: 'ES256' }).build();
    expect(Object.fromEntries(req.url.searchParams)).toMatchObject({
      client_id: '123',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://example.com/cb',
    });
    expect(req.url.searchParams.has('request')).toBe(true);
  });

  it('copies named parameters only', async () => {
    const req = await base().scope('openid').state('xyz').includeInQuery('state').signWith(es256.privateKey, { alg: 'ES256' }).build();
    expect([...req.url.searchParams.keys()]).toEqual(['client_id', 'request', 'state']);
  });

  it('without signWith gives a plain authorization request with every parameter in the query', async () => {
    const req = await new AuthorizationRequestBuilder(['code', 'id_token'], 'c1')
      .endpoint('https://as.example.com/authorize')
      .redirectUri('https://example.com/cb')
      .scope('openid')
      .maxAge(0)
      .claims({ userinfo: { email: null } })
      .resource('https://a.example/', 'https://b.example/')
      .build();
    expect(req.requestObject).toBeUndefined();
    const q = req.url.searchParams;
    expect(q.get('response_type')).toBe('code id_token');
    expect(q.get('client_id')).toBe('c1');
    expect(q.get('max_age')).toBe('0');
    expect(JSON.parse(q.get('claims')!)).toEqual({ userinfo: { email: null } });
    expect(q.getAll('resource')).toEqual(['https://a.example/', 'https://b.example/']);
    expect(q.has('request')).toBe(false);
  });

  it('publishes by reference: the URL carries client_id and request_uri only', async () => {
    const seen: Array<{ obj: string; clientId: string }> = [];
    const publisher: RequestUriPublisher = {
      async publish(obj, { clientId }) {
        seen.push({ obj, clientId });
        return { requestUri: 'urn:ietf:params:oauth:request_uri:abc', expiresIn: 60 };
      },
    };
    const req = await base().signWith(es256.privateKey, { alg: 'ES256' }).publishWith(publisher).build();
    expect([...req.url.searchParams.keys()]).toEqual(['client_id', 'request_uri']);
    expect(req.url.searchParams.get('request_uri')).toBe('urn:ietf:params:oauth:request_uri:abc');
    expect(req.requestUri).toBe('urn:ietf:params:oauth:request_uri:abc');
    expect(req.expiresIn).toBe(60);
    expect(seen).toEqual([{ obj: req.requestObject, clientId: '123' }]);
  });

  it('wraps a publisher failure in ERR_PUBLISH_FAILED', async () => {
    const failing: RequestUriPublisher = { publish: async () => Promise.reject(new Error('down')) };
    expect(await codeOf(() => base().signWith(es256.privateKey, { alg: 'ES256' }).publishWith(failing).build())).toBe('ERR_PUBLISH_FAILED');
    const empty = { publish: async () => ({}) } as unknown as RequestUriPublisher;
    expect(await codeOf(() => base().signWith(es256.privateKey, { alg: 'ES256' }).publishWith(empty).build())).toBe('ERR_PUBLISH_FAILED');
  });
});

describe('headers', () => {
  it('sets typ oauth-authz-req+jwt by default, can drop or change it, and takes kid from a JWK', async () => {
    const jwk: JWK = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: 'from-jwk' };
    const h1 = decodeAuthorizationRequest((await base().signWith(jwk, { alg: 'ES256' }).build()).url).header!;
    expect(h1).toEqual({ alg: 'ES256', kid: 'from-jwk', typ: 'oauth-authz-req+jwt' });
    const h2 = decodeAuthorizationRequest((await base().signWith(jwk, { alg: 'ES256', typ: false, kid: 'k2' }).build()).url).header!;
    expect(h2).toEqual({ alg: 'ES256', kid: 'k2' });
    const h3 = decodeAuthorizationRequest((await base().signWith(jwk, { alg: 'ES256', typ: 'JWT' }).build()).url).header!;
    expect(h3.typ).toBe('JWT');
  });
});

describe('keys and algorithms', () => {
  const cases: Array<[string, () => Promise<{ sign: unknown; verify: unknown }>]> = [
    ['RS256 CryptoKey', async () => ({ sign: rsa.privateKey, verify: rsa.publicKey })],
    ['PS256 JWK', async () => {
      const kp = await generateKeyPair('PS256', { extractable: true });
      return { sign: await exportJWK(kp.privateKey), verify: kp.publicKey };
    }],
    ['ES384 non-extractable CryptoKey', async () => {
      const kp = await generateKeyPair('ES384');
      return { sign: kp.privateKey, verify: kp.publicKey };
    }],
    ['ES512 KeyObject', async () => {
      const kp = generateKeyPairSync('ec', { namedCurve: 'P-521' });
      return { sign: kp.privateKey, verify: kp.publicKey };
    }],
    ['EdDSA KeyObject', async () => {
      const kp = generateKeyPairSync('ed25519');
      return { sign: kp.privateKey, verify: kp.publicKey };
    }],
    ['Ed25519 CryptoKey', async () => {
      const kp = await generateKeyPair('Ed25519');
      return { sign: kp.privateKey, verify: kp.publicKey };
    }],
    ['HS256 Uint8Array', async () => {
      const secret = new TextEncoder().encode('a-client-secret-of-at-least-32-bytes!!');
      return { sign: secret, verify: secret };
    }],
    ['HS512 CryptoKey', async () => {
      const k = await generateSecret('HS512');
      return { sign: k, verify: k };
    }],
  ];
  for (const [name, make] of cases) {
    it(`signs with ${name}`, async () => {
      const alg = name.split(' ')[0] as 'RS256';
      const { sign, verify } = await make();
      const req = await base().signWith(sign as CryptoKey, { alg }).build();
      const { protectedHeader } = await jwtVerify(req.requestObject!, verify as CryptoKey, { algorithms: [alg], currentDate: new Date(NOW) });
      expect(protectedHeader.alg).toBe(alg);
    });
  }

  const encCases: Array<[string, string, () => Promise<{ enc: unknown; dec: unknown }>]> = [
    ['ECDH-ES+A256KW', 'A128CBC-HS256', async () => {
      const kp = await generateKeyPair('ECDH-ES+A256KW');
      return { enc: kp.publicKey, dec: kp.privateKey };
    }],
    ['ECDH-ES', 'A256GCM', async () => {
      const kp = await generateKeyPair('ECDH-ES', { crv: 'X25519' });
      return { enc: kp.publicKey, dec: kp.privateKey };
    }],
    ['RSA-OAEP', 'A192CBC-HS384', async () => {
      const kp = await generateKeyPair('RSA-OAEP', { extractable: true });
      return { enc: await exportJWK(kp.publicKey), dec: kp.privateKey };
    }],
    ['A128KW', 'A128GCM', async () => {
      const k = crypto.getRandomValues(new Uint8Array(16));
      return { enc: k, dec: k };
    }],
    ['dir', 'A256GCM', async () => {
      const k = crypto.getRandomValues(new Uint8Array(32));
      return { enc: k, dec: k };
    }],
  ];
  for (const [alg, enc, make] of encCases) {
    it(`encrypts with ${alg}/${enc} around the signed JWT`, async () => {
      const { enc: ek, dec } = await make();
      const req = await base().signWith(es256.privateKey, { alg: 'ES256' }).encryptWith(ek as CryptoKey, { alg: alg as 'dir', enc: enc as 'A256GCM' }).build();
      expect(req.requestObject!.split('.')).toHaveLength(5);
      const { plaintext, protectedHeader } = await compactDecrypt(req.requestObject!, dec as CryptoKey);
      expect(protectedHeader.cty).toBe('JWT');
      await jwtVerify(new TextDecoder().decode(plaintext), es256.publicKey, { algorithms: ['ES256'], currentDate: new Date(NOW) });
    });
  }

  it('imports a JWK once, not at every build', async () => {
    const jwk: JWK = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const b = base().signWith(jwk, { alg: 'ES256' });
    await b.build();
    // A frozen JWK cannot be re-imported through a new path; what we check is that the cache is
    // keyed by the JWK object: a second builder with the same JWK re-uses the first import.
    const { usableKey } = await import('../../src/crypto/keys.js');
    expect(usableKey(jwk, 'ES256')).toBe(usableKey(jwk, 'ES256'));
  });
});

describe('bad input is a typed error at the setter or at build(), never a malformed URL', () => {
  it('refuses alg none (RFC 9101 §5)', async () => {
    expect(await codeOf(() => base().signWith(es256.privateKey, { alg: 'none' as 'ES256' }))).toBe('ERR_UNSUPPORTED_ALG');
  });

  it('refuses an alg that does not fit the key', async () => {
    expect(await codeOf(() => base().signWith(es256.privateKey, { alg: 'RS256' }))).toBe('ERR_KEY_MISMATCH');
    expect(await codeOf(() => base().signWith(rsa.privateKey, { alg: 'PS256' }))).toBe('ERR_KEY_MISMATCH');
    expect(await codeOf(() => base().signWith(es256.publicKey, { alg: 'ES256' }))).toBe('ERR_KEY_MISMATCH');
    expect(await codeOf(() => base().signWith(new Uint8Array(32), { alg: 'ES256' }))).toBe('ERR_KEY_MISMATCH');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(await codeOf(() => base().signWith(p384.privateKey, { alg: 'ES256' }))).toBe('ERR_KEY_MISMATCH');
    const pub = await exportJWK(es256.publicKey);
    expect(await codeOf(() => base().signWith(pub, { alg: 'ES256' }))).toBe('ERR_KEY_MISMATCH');
    expect(await codeOf(() => base().encryptWith(es256.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM' }))).toBe('ERR_KEY_MISMATCH');
  });

  it('refuses RSA1_5 and PBES2 and unknown enc', async () => {
    expect(await codeOf(() => base().encryptWith(rsaEnc.publicKey, { alg: 'RSA1_5' as 'RSA-OAEP', enc: 'A256GCM' }))).toBe('ERR_UNSUPPORTED_ALG');
    expect(await codeOf(() => base().encryptWith(new Uint8Array(16), { alg: 'PBES2-HS256+A128KW' as 'A128KW', enc: 'A256GCM' }))).toBe('ERR_UNSUPPORTED_ALG');
    expect(await codeOf(() => base().encryptWith(rsaEnc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A1GCM' as 'A256GCM' }))).toBe('ERR_UNSUPPORTED_ALG');
  });

  it('refuses relative or non-URL redirect_uri and endpoint', async () => {
    expect(await codeOf(() => base().redirectUri('/cb'))).toBe('ERR_INVALID_URL');
    expect(await codeOf(() => base().redirectUri('https://example.com/cb#frag'))).toBe('ERR_INVALID_URL');
    expect(await codeOf(() => base().endpoint('login'))).toBe('ERR_INVALID_URL');
    expect(await codeOf(() => base().endpoint('javascript:alert(1)'))).toBe('ERR_INVALID_URL');
    expect(await codeOf(() => base().endpoint(42 as unknown as string))).toBe('ERR_INVALID_URL');
    expect(await codeOf(() => base().resource('api'))).toBe('ERR_INVALID_URL');
  });

  it('refuses a signed object with no audience', async () => {
    const b = new AuthorizationRequestBuilder('code', 'c').endpoint('https://as.example.com/a').signWith(es256.privateKey, { alg: 'ES256' });
    expect(await codeOf(() => b.build())).toBe('ERR_MISSING_AUDIENCE');
  });

  it('refuses a build with no endpoint', async () => {
    expect(await codeOf(() => new AuthorizationRequestBuilder('code', 'c').build())).toBe('ERR_MISSING_ENDPOINT');
  });

  it('refuses a lifetime over 60 minutes', async () => {
    expect(await codeOf(() => base().expiresIn(3601))).toBe('ERR_LIFETIME_TOO_LONG');
    expect(await codeOf(() => base().expiresIn(0))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('refuses encryptWith without signWith', async () => {
    expect(await codeOf(() => base().encryptWith(rsaEnc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM' }).build())).toBe('ERR_ENCRYPT_WITHOUT_SIGN');
  });

  it('refuses request / request_uri inside the object (RFC 9101 §10.7) and sub = client_id (§10.8)', async () => {
    expect(await codeOf(() => base().param('request', 'x'))).toBe('ERR_FORBIDDEN_PARAMETER');
    expect(await codeOf(() => base().param('request_uri', 'https://x'))).toBe('ERR_FORBIDDEN_PARAMETER');
    expect(await codeOf(() => base().includeInQuery('request'))).toBe('ERR_FORBIDDEN_PARAMETER');
    expect(await codeOf(() => base().param('sub', '123'))).toBe('ERR_FORBIDDEN_PARAMETER');
  });

  it('refuses setting JWT claims or client_id through param()', async () => {
    for (const name of ['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'response_type']) {
      expect(await codeOf(() => base().param(name, 'x'))).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it('validates parameter values', async () => {
    const bad: Array<() => unknown> = [
      () => new AuthorizationRequestBuilder('code', ''),
      () => new AuthorizationRequestBuilder('', 'c'),
      () => base().scope(),
      () => base().scope('a b'),
      () => base().scope('bad"quote'),
      () => base().state(''),
      () => base().maxAge(-1),
      () => base().maxAge(1.5),
      () => base().prompt('none', 'login'),
      () => base().prompt('sometimes' as 'none'),
      () => base().display('huge' as 'page'),
      () => base().claims('{"a":1}' as unknown as Record<string, unknown>),
      () => base().claims({ f: () => 1, n: 10n } as unknown as Record<string, unknown>),
      () => base().codeChallenge('short'),
      () => base().authorizationDetails([{ nope: 1 } as unknown as { type: string }]),
      () => base().dpopJkt('not-a-thumbprint'),
      () => base().purpose('no'),
      () => base().jti(''),
      () => base().clock('now' as unknown as () => Date),
      () => base().signWith(es256.privateKey, { alg: 'ES256', kid: '' }),
      () => base().publishWith({} as RequestUriPublisher),
    ];
    for (const fn of bad) expect(await codeOf(fn)).toBe('ERR_INVALID_ARGUMENT');
  });

  it('turns a signing failure into ERR_SIGN_FAILED, naming the alg', async () => {
    // A JWK that looks right but is not a valid key: the failure surfaces at build(), typed.
    const broken: JWK = { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', d: 'AAAA' };
    const err = await base().signWith(broken, { alg: 'ES256' }).build().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthJarError);
    expect((err as OAuthJarError).code).toBe('ERR_SIGN_FAILED');
    expect((err as OAuthJarError).message).toContain('ES256');
  });
});

describe('decodeAuthorizationRequest', () => {
  it('decodes a URL, a query string and a bare request object without verifying', async () => {
    const req = await base().scope('openid').signWith(es256.privateKey, { alg: 'ES256', kid: 'k' }).build();
    for (const input of [req.url, req.url.href, req.url.search.slice(1), req.requestObject!]) {
      const d = decodeAuthorizationRequest(input);
      expect(d.header).toEqual({ alg: 'ES256', kid: 'k', typ: 'oauth-authz-req+jwt' });
      expect(d.claims?.scope).toBe('openid');
      expect(d.encrypted).toBe(false);
    }
    expect(decodeAuthorizationRequest(req.url).clientId).toBe('123');
  });

  it('reports an encrypted object with its JWE header and no claims', async () => {
    const req = await base().signWith(es256.privateKey, { alg: 'ES256' }).encryptWith(rsaEnc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM' }).build();
    const d = decodeAuthorizationRequest(req.url);
    expect(d).toMatchObject({ encrypted: true, claims: undefined, header: { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' } });
  });

  it('reads request_uri requests', () => {
    const d = decodeAuthorizationRequest('https://as.example.com/a?client_id=c&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax');
    expect(d).toMatchObject({ clientId: 'c', requestUri: 'urn:ietf:params:oauth:request_uri:x', request: undefined, encrypted: false });
  });

  it('throws ERR_DECODE on garbage', () => {
    for (const bad of ['a.b.c', 'https://x/?request=a.b', 'https://x/?request=%7B.%7B.%7B']) {
      expect(() => decodeAuthorizationRequest(bad)).toThrowError(expect.objectContaining({ code: 'ERR_DECODE' }));
    }
  });
});
