import { b64FalseJws, generateJwkPair, publicKeyPemBytes, selfSignedCertificate, signWithHeader, unsecuredJws } from '../crypto/hostile.js';
import { randomToken } from '../crypto/encoding.js';
import type { JWK } from '../crypto/types.js';
import type { Observation } from './answer.js';
import type { ProbeContext } from './context.js';
import type { ProbeVerdict } from './types.js';

/** One entry of the catalogue: what it sends, where the rule comes from, what must come back. */
export interface ProbeCase {
  id: string;
  title: string;
  kind: 'baseline' | 'hostile';
  /** The specification section of the rule. */
  source: string;
  /** Hostile cases: the error codes a correct refusal carries; any other refusal is a warning. */
  errors?: readonly string[];
  /** Only with this profile. */
  profile?: 'fapi2';
  /** Why the case does not apply to this server, or `undefined` when it does. */
  skip?(ctx: ProbeContext): string | undefined;
  /** Sends the case and reports what the server did. */
  run(ctx: ProbeContext): Promise<Outcome>;
}

/** What a run observed, with an optional verdict that overrides the default reading. */
export interface Outcome extends Observation {
  verdict?: ProbeVerdict;
  /** Canary paths the server fetched although it must not have. */
  fetched?: string[];
}

const OBJECT = ['invalid_request_object'] as const;
const REQUEST = ['invalid_request', 'invalid_request_object'] as const;
const OBJECT_OR_REQUEST = ['invalid_request_object', 'invalid_request'] as const;
const REQUEST_URI = ['invalid_request_uri', 'request_uri_not_supported', 'invalid_request', 'invalid_request_object'] as const;

const noEncryption = (ctx: ProbeContext) =>
  ctx.encryption === undefined ? 'the server lists no request object encryption algorithm usable with its keys' : undefined;
const noCanary = (ctx: ProbeContext) =>
  ctx.canary === undefined ? 'no canary listener the server can reach (the server is not on loopback and no canary URL was given)' : undefined;

/** Signs `claims` as a request object and sends it the usual way. */
async function sendSigned(ctx: ProbeContext, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<Outcome> {
  return ctx.send(await ctx.sign(claims, header));
}

/** A case that changes one claim of an otherwise valid request object. */
function claimCase(id: string, title: string, source: string, change: (ctx: ProbeContext, now: number) => Record<string, unknown>, extra: Partial<ProbeCase> = {}): ProbeCase {
  return {
    id,
    title,
    kind: 'hostile',
    source,
    errors: OBJECT,
    async run(ctx) {
      return sendSigned(ctx, await ctx.claims(change(ctx, Math.floor(Date.now() / 1000))));
    },
    ...extra,
  };
}

/** Serves `body` on the canary under a fresh path and returns its URL. */
function host(ctx: ProbeContext, prefix: string, body: string, type: string): { url: string; path: string } {
  const path = `/${prefix}/${randomToken(12)}`;
  ctx.canary!.serve(path, body, type);
  return { url: `${ctx.canary!.url}${path}`, path };
}

const withFetched = (obs: Observation, ctx: ProbeContext, paths: string[]): Outcome => {
  const fetched = paths.filter((p) => ctx.canary!.hits(p) > 0);
  return fetched.length > 0 ? { ...obs, fetched } : obs;
};

const RO_TYPE = 'application/oauth-authz-req+jwt';
const alt = (issuer: string) => (issuer.endsWith('/') ? issuer.slice(0, -1) : `${issuer}/`);

export const BASELINES: readonly ProbeCase[] = [
  {
    id: 'baseline-value',
    title: 'signed request object by value',
    kind: 'baseline',
    source: 'RFC 9101 §5.1',
    skip: (ctx) =>
      ctx.metadata.require_pushed_authorization_requests === true
        ? 'the server requires PAR (require_pushed_authorization_requests)'
        : ctx.metadata.request_parameter_supported === false
          ? 'the server does not support "request" (request_parameter_supported: false)'
          : undefined,
    run: async (ctx) => ctx.send(await ctx.sign(await ctx.claims()), { delivery: 'value' }),
  },
  {
    id: 'baseline-nested',
    title: 'signed then encrypted to the server\'s enc key',
    kind: 'baseline',
    source: 'RFC 9101 §4, §6.1',
    skip: noEncryption,
    run: async (ctx) => ctx.send(await ctx.encrypt(await ctx.sign(await ctx.claims()))),
  },
  {
    id: 'baseline-par',
    title: 'signed request object pushed to the PAR endpoint',
    kind: 'baseline',
    source: 'RFC 9126 §3',
    skip: (ctx) => (ctx.hasPar ? undefined : 'the server has no pushed_authorization_request_endpoint'),
    run: async (ctx) => ctx.push(await ctx.sign(await ctx.claims())),
  },
  {
    id: 'baseline-reference',
    title: 'signed request object by reference (request_uri on the canary, under /registered/)',
    kind: 'baseline',
    source: 'RFC 9101 §5.2',
    skip: (ctx) =>
      ctx.metadata.request_uri_parameter_supported === false
        ? 'the server does not fetch request_uri (request_uri_parameter_supported: false)'
        : noCanary(ctx),
    async run(ctx) {
      const { url, path } = host(ctx, 'registered', await ctx.sign(await ctx.claims()), RO_TYPE);
      const obs = await ctx.authorize({ ...ctx.outside(), request_uri: url });
      // A server that never fetched the canary could not reach it, or will not fetch from it (http,
      // loopback: RFC 9101 §10.4 guards): by reference cannot be tested, which is no failure.
      if (obs.answer !== 'accepted' && ctx.canary!.hits(path) === 0) {
        return { ...obs, verdict: 'skip', detail: `${obs.detail} without fetching the canary: give a canary URL the server can and will fetch (https, registered under /registered/)` };
      }
      return obs;
    },
  },
];

const ALG_NONE_SPELLINGS = ['none', 'None', 'NONE', 'nOnE'] as const;
const ASYMMETRIC_KM = ['RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'];

export const HOSTILE: readonly ProbeCase[] = [
  {
    id: 'plain-request',
    title: 'no request object: a plain authorization request',
    kind: 'hostile',
    source: 'RFC 9101 §10.5',
    errors: ['invalid_request', 'invalid_request_object'],
    async run(ctx) {
      const { iss: _iss, aud: _aud, iat: _iat, nbf: _nbf, exp: _exp, jti: _jti, ...params } = await ctx.claims();
      const obs = await ctx.authorize(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
      // RFC 9101 §10.5: only a server that requires request objects (or a FAPI 2.0 one) must refuse
      // this; elsewhere an accepted plain request is worth knowing, not a failure.
      if (obs.answer === 'accepted' && ctx.metadata.require_signed_request_object !== true && ctx.profile !== 'fapi2') {
        return { ...obs, verdict: 'warn', detail: `${obs.detail}; the server does not require request objects (require_signed_request_object is not true)` };
      }
      return obs;
    },
  },
  ...ALG_NONE_SPELLINGS.map(
    (alg): ProbeCase => ({
      id: alg === 'none' ? 'alg-none' : `alg-none-${alg}`,
      title: `unsigned, alg "${alg}"`,
      kind: 'hostile',
      source: 'RFC 9101 §5, RFC 8725 §3.1',
      errors: OBJECT,
      run: async (ctx) => ctx.send(unsecuredJws(ctx.header({ alg, kid: undefined }), await ctx.claims())),
    }),
  ),
  {
    id: 'jwe-unsigned-payload',
    title: 'JWE wrapping an unsigned JSON claims set',
    kind: 'hostile',
    source: 'RFC 9101 §6.1, §10.2',
    errors: OBJECT,
    skip: noEncryption,
    run: async (ctx) => ctx.send(await ctx.encrypt(JSON.stringify(await ctx.claims()), {})),
  },
  {
    id: 'jwe-rsa1_5',
    title: 'nested JWE with key management RSA1_5',
    kind: 'hostile',
    source: 'RFC 8725 §3.2',
    errors: OBJECT,
    skip: (ctx) => {
      if (ctx.options.rsa1_5 === undefined) return 'no RSA1_5 encrypter (the Node entry supplies one)';
      return noEncryption(ctx) ?? (ctx.encryptionKeys.some((k) => k.kty === 'RSA') ? undefined : 'the server publishes no RSA encryption key');
    },
    async run(ctx) {
      const key = ctx.encryptionKeys.find((k) => k.kty === 'RSA')!;
      return ctx.send(await ctx.options.rsa1_5!(await ctx.sign(await ctx.claims()), key, 'A128CBC-HS256'));
    },
  },
  {
    id: 'jwe-unadvertised-alg',
    title: 'nested JWE with a key management algorithm the server does not list',
    kind: 'hostile',
    source: 'RFC 8725 §3.1, OIDC Discovery §3',
    errors: OBJECT,
    skip: (ctx) => (noEncryption(ctx) ?? (unadvertised(ctx) ? undefined : 'the server lists every algorithm its keys allow')),
    async run(ctx) {
      const { alg, key } = unadvertised(ctx)!;
      const jws = await ctx.sign(await ctx.claims());
      return ctx.send(await ctx.encryptWith(jws, key, alg));
    },
  },
  {
    id: 'signature-unregistered-key',
    title: 'signed by a key the client never registered (same kid)',
    kind: 'hostile',
    source: 'RFC 9101 §6.2',
    errors: OBJECT,
    async run(ctx) {
      const stranger = await generateJwkPair(ctx.alg, ctx.key.kid ?? 'probe-stranger');
      return ctx.send(await signWithHeader(await ctx.claims(), stranger.privateJwk, ctx.header() as { alg: string }));
    },
  },
  {
    id: 'header-jwk',
    title: 'signed by a fresh key embedded in the header (jwk)',
    kind: 'hostile',
    source: 'RFC 9101 §6.2, RFC 8725 §3.10',
    errors: OBJECT,
    async run(ctx) {
      const injected = await generateJwkPair(ctx.alg, 'probe-injected');
      const header = ctx.header({ kid: undefined, jwk: injected.publicJwk }) as { alg: string };
      return ctx.send(await signWithHeader(await ctx.claims(), injected.privateJwk, header));
    },
  },
  {
    id: 'header-jku',
    title: 'signed by a fresh key published at a jku on the canary',
    kind: 'hostile',
    source: 'RFC 9101 §6.2, RFC 8725 §3.10',
    errors: OBJECT,
    skip: noCanary,
    async run(ctx) {
      const injected = await generateJwkPair(ctx.alg, 'probe-jku');
      const { url, path } = host(ctx, 'jku', JSON.stringify({ keys: [injected.publicJwk] }), 'application/jwk-set+json');
      const header = ctx.header({ kid: 'probe-jku', jku: url }) as { alg: string };
      return withFetched(await ctx.send(await signWithHeader(await ctx.claims(), injected.privateJwk, header)), ctx, [path]);
    },
  },
  {
    id: 'header-x5c',
    title: 'signed by a fresh key in a self-signed certificate in the header (x5c)',
    kind: 'hostile',
    source: 'RFC 9101 §6.2, RFC 8725 §3.10',
    errors: OBJECT,
    async run(ctx) {
      const injected = await generateJwkPair(ctx.alg, 'probe-x5c');
      const header = ctx.header({ kid: undefined, x5c: [await selfSignedCertificate(injected)] }) as { alg: string };
      return ctx.send(await signWithHeader(await ctx.claims(), injected.privateJwk, header));
    },
  },
  {
    id: 'hs256-public-key',
    title: 'HS256 keyed with the client\'s public key (PEM)',
    kind: 'hostile',
    source: 'RFC 8725 §2.1, §3.1',
    errors: OBJECT,
    skip: (ctx) => (ctx.key.kty === 'oct' ? 'the client key is symmetric' : undefined),
    async run(ctx) {
      const secret = await publicKeyPemBytes(ctx.publicJwk, ctx.alg);
      return ctx.send(await signWithHeader(await ctx.claims(), secret, ctx.header({ alg: 'HS256' }) as { alg: string }));
    },
  },
  {
    id: 'crit-unknown',
    title: 'an unknown extension in crit',
    kind: 'hostile',
    source: 'RFC 7515 §4.1.11',
    errors: OBJECT,
    async run(ctx) {
      const ext = 'urn:oauth-jar:probe';
      const header = ctx.header({ crit: [ext], [ext]: true }) as { alg: string };
      return ctx.send(await signWithHeader(await ctx.claims(), ctx.key, header, [ext]));
    },
  },
  {
    id: 'b64-false',
    title: 'b64: false (unencoded payload) in crit',
    kind: 'hostile',
    source: 'RFC 7797 §7, RFC 7519 §7.2',
    errors: OBJECT,
    run: async (ctx) => ctx.send(await b64FalseJws(await ctx.claims(), ctx.key, ctx.header() as { alg: string })),
  },
  ...(['dpop+jwt', 'at+jwt'] as const).map(
    (typ): ProbeCase => ({
      id: `typ-${typ.replace('+jwt', '')}`,
      title: `typ "${typ}" (another kind of JWT)`,
      kind: 'hostile',
      source: 'RFC 9101 §10.8, RFC 8725 §3.11',
      errors: OBJECT,
      run: async (ctx) => sendSigned(ctx, await ctx.claims(), { typ }),
    }),
  ),
  claimCase('aud-token-endpoint', 'aud is the token endpoint', 'RFC 9101 §4, RFC 8414 §2', (ctx) => ({ aud: ctx.metadata.token_endpoint }), {
    skip: (ctx) => (ctx.metadata.token_endpoint === undefined ? 'the server lists no token_endpoint' : undefined),
  }),
  claimCase('aud-par-endpoint', 'aud is the PAR endpoint', 'RFC 9101 §4, RFC 9126 §3', (ctx) => ({ aud: ctx.metadata.pushed_authorization_request_endpoint }), {
    skip: (ctx) => (ctx.metadata.pushed_authorization_request_endpoint === undefined ? 'the server has no PAR endpoint' : undefined),
  }),
  claimCase('aud-trailing-slash', 'aud is the issuer with its trailing slash toggled', 'RFC 9101 §4, RFC 8414 §3.3', (ctx) => ({ aud: alt(ctx.issuer) })),
  claimCase('aud-other-issuer', 'aud is another issuer', 'RFC 9101 §4', () => ({ aud: 'https://other-issuer.example' })),
  claimCase('aud-missing', 'no aud', 'RFC 9101 §4, RFC 7519 §4.1.3', () => ({ aud: undefined })),
  claimCase('exp-past', 'expired (exp 5 minutes ago)', 'RFC 7519 §4.1.4', (_ctx, now) => ({ iat: now - 600, nbf: now - 600, exp: now - 300 })),
  claimCase('nbf-future', 'not yet valid (nbf in 10 minutes)', 'RFC 7519 §4.1.5', (_ctx, now) => ({ nbf: now + 600, exp: now + 900 })),
  claimCase('iat-future', 'iat a day in the future', 'RFC 7519 §4.1.6, RFC 8725 §3.10', (_ctx, now) => ({ iat: now + 86_400 })),
  claimCase('iss-mismatch', 'iss differs from the query\'s client_id', 'RFC 9101 §4', (ctx) => ({ iss: `${ctx.clientId}-other` })),
  claimCase('client-id-mismatch', 'client_id claim differs from the query\'s', 'RFC 9101 §6.3', (ctx) => ({ client_id: `${ctx.clientId}-other` })),
  {
    id: 'request-inside',
    title: 'a request parameter inside the object',
    kind: 'hostile',
    source: 'RFC 9101 §4',
    errors: OBJECT,
    async run(ctx) {
      const inner = await ctx.sign(await ctx.claims());
      return sendSigned(ctx, await ctx.claims({ request: inner }));
    },
  },
  {
    id: 'request-uri-inside',
    title: 'a request_uri inside the object (pointing at the canary)',
    kind: 'hostile',
    source: 'RFC 9101 §4, §10.4',
    errors: OBJECT,
    async run(ctx) {
      if (!ctx.canary) return sendSigned(ctx, await ctx.claims({ request_uri: 'urn:ietf:params:oauth:request_uri:probe' }));
      const { url, path } = host(ctx, 'inside', await ctx.sign(await ctx.claims()), RO_TYPE);
      return withFetched(await sendSigned(ctx, await ctx.claims({ request_uri: url })), ctx, [path]);
    },
  },
  {
    id: 'request-and-request-uri',
    title: 'request and request_uri together in the query',
    kind: 'hostile',
    source: 'RFC 9101 §5',
    errors: REQUEST,
    skip: (ctx) => (ctx.metadata.require_pushed_authorization_requests === true ? 'the server requires PAR' : undefined),
    async run(ctx) {
      const object = await ctx.sign(await ctx.claims());
      if (!ctx.canary) return ctx.send(object, { delivery: 'value', query: { request_uri: 'urn:ietf:params:oauth:request_uri:probe' } });
      const { url, path } = host(ctx, 'both', await ctx.sign(await ctx.claims()), RO_TYPE);
      return withFetched(await ctx.send(object, { delivery: 'value', query: { request_uri: url } }), ctx, [path]);
    },
  },
  {
    id: 'replay',
    title: 'the same request object used twice',
    kind: 'hostile',
    source: 'RFC 9101 §10.8, FAPI 2.0 Message Signing §5.3.2',
    errors: OBJECT_OR_REQUEST,
    async run(ctx) {
      const object = await ctx.sign(await ctx.claims());
      const first = await ctx.send(object);
      if (first.answer !== 'accepted') return { ...first, verdict: 'skip', detail: `the first use was not accepted (${first.detail})` };
      return ctx.send(object);
    },
  },
  {
    id: 'outside-parameters',
    title: 'state outside the object differs from the state inside (prompt=none)',
    kind: 'hostile',
    source: 'RFC 9101 §5',
    async run(ctx) {
      // prompt=none makes a server without a session answer with an error redirect that carries
      // `state` (OIDC Core §3.1.2.6): whichever state comes back shows which parameters it used.
      const inside = randomToken(12);
      const outside = randomToken(12);
      const obs = await ctx.send(await ctx.sign(await ctx.claims({ state: inside, prompt: 'none' })), {
        delivery: 'value',
        query: { state: outside, prompt: 'none' },
      });
      if (obs.state === outside) return { ...obs, verdict: 'fail', detail: `${obs.detail}; the state from outside the object came back` };
      if (obs.state === inside) return { ...obs, verdict: 'pass', detail: `${obs.detail}; the object's state came back` };
      if (obs.answer === 'refused' && obs.state === undefined) return { ...obs, verdict: 'pass', detail: `${obs.detail}; no state came back` };
      return { ...obs, verdict: 'skip', detail: `${obs.detail}; no state came back to tell which parameters were used` };
    },
    skip: (ctx) =>
      ctx.metadata.require_pushed_authorization_requests === true || ctx.metadata.request_parameter_supported === false
        ? 'needs a request object by value'
        : undefined,
  },
  {
    id: 'request-uri-unregistered',
    title: 'an unregistered request_uri (on the canary, under /unregistered/)',
    kind: 'hostile',
    source: 'RFC 9101 §5.2.3, §10.4',
    errors: REQUEST_URI,
    skip: noCanary,
    async run(ctx) {
      const { url, path } = host(ctx, 'unregistered', await ctx.sign(await ctx.claims()), RO_TYPE);
      return withFetched(await ctx.authorize({ ...ctx.outside(), request_uri: url }), ctx, [path]);
    },
  },
  {
    id: 'fapi2-rs256',
    title: 'signed with RS256',
    kind: 'hostile',
    profile: 'fapi2',
    source: 'FAPI 2.0 Security Profile §5.4',
    errors: OBJECT,
    skip: (ctx) => (ctx.key.kty === 'RSA' ? undefined : 'the client key is not an RSA key'),
    run: async (ctx) => sendSigned(ctx, await ctx.claims(), { alg: 'RS256' }),
  },
  claimCase('fapi2-lifetime', 'exp - nbf over 60 minutes', 'FAPI 2.0 Message Signing §5.3.2', (_ctx, now) => ({ nbf: now, exp: now + 3900 }), { profile: 'fapi2' }),
  claimCase('fapi2-no-nbf', 'no nbf', 'FAPI 2.0 Message Signing §5.3.2', () => ({ nbf: undefined }), { profile: 'fapi2' }),
  claimCase('fapi2-no-redirect-uri', 'no redirect_uri', 'FAPI 2.0 Security Profile §5.3.2.2', () => ({ redirect_uri: undefined }), {
    profile: 'fapi2',
    errors: REQUEST,
  }),
];

/** A key management algorithm the server does not list, and one of its keys that can serve it. */
function unadvertised(ctx: ProbeContext): { alg: string; key: JWK } | undefined {
  const listed = ctx.metadata.request_object_encryption_alg_values_supported ?? [];
  for (const alg of ASYMMETRIC_KM) {
    if (listed.includes(alg)) continue;
    const key = ctx.encryptionKeys.find((k) => (alg.startsWith('RSA') ? k.kty === 'RSA' : k.kty === 'EC' || (k.kty === 'OKP' && k.crv === 'X25519')));
    if (key) return { alg, key };
  }
  return undefined;
}

