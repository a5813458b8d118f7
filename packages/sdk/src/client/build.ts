// build() in stages, loaded with the first build() so that a page pays for them only when it
// builds: checks → parameters and claims → sign → encrypt → publish → URL. A new stage is one more
// line here; a new rule about the whole request is one more entry in checks.ts.
import { signRequestObject } from '../crypto/sign.js';
import { REQUEST_CHECKS } from './checks.js';
import { settle } from './negotiate.js';
import { requestClaims, requestParameters } from './claims.js';
import { publishRequestObject } from './publish.js';
import type { AuthorizationRequest, Encryption, RequestSpec } from './request.js';
import { plainRequestUrl, requestObjectUrl } from './url.js';

// The JWE code and the jwks_uri fetch (the HTTP layer) load on demand too, so an app that only
// signs never downloads them. The promises are kept: a dynamic import() costs ~25 µs in Node.
let encryptModule: Promise<typeof import('../crypto/encrypt.js')> | undefined;
let serverKeysModule: Promise<typeof import('./server-keys.js')> | undefined;

/** Validates the whole request, then makes it. */
export async function buildRequest(r: RequestSpec): Promise<AuthorizationRequest> {
  for (const check of REQUEST_CHECKS) check(r);
  // The profile's rules, then the alg that signWith left to negotiation (client/negotiate.ts).
  const alg = settle(r.profile, r.signing, r.server, { published: !!r.publisher, pkce: r.codeVerifier && r.codeChallengeMethod, redirectUri: 'redirect_uri' in r.parameters });
  const parameters = await requestParameters(r);
  if (!r.signing) return result(plainRequestUrl(r.endpoint!, parameters), undefined, parameters, r);

  const claims = requestClaims(r, parameters);
  let requestObject = await signRequestObject(claims, { ...r.signing, alg: alg! });
  if (r.encryption) requestObject = await encrypt(r, r.encryption, requestObject);
  if (!r.publisher) return result(requestObjectUrl(r, parameters, { request: requestObject }), requestObject, claims, r);

  const { requestUri, expiresIn } = await publishRequestObject(r, r.publisher, requestObject);
  return result(requestObjectUrl(r, parameters, { requestUri }), requestObject, claims, r, requestUri, expiresIn);
}

// A nested JWT (RFC 9101 §4): to the key given to encryptWith, or to the server's jwks_uri key.
async function encrypt(r: RequestSpec, e: Encryption, jws: string): Promise<string> {
  const encryption =
    e.key !== undefined
      ? { ...e, key: e.key, alg: e.alg!, enc: e.enc! } // a key comes with alg and enc (encryptWith's overloads)
      : await (await (serverKeysModule ??= import('./server-keys.js'))).serverEncryption(r.server!, e);
  const { encryptRequestObject } = await (encryptModule ??= import('../crypto/encrypt.js'));
  return encryptRequestObject(jws, encryption);
}

function result(
  url: URL,
  requestObject: string | undefined,
  parameters: Record<string, unknown>,
  r: RequestSpec,
  requestUri?: string,
  expiresIn?: number,
): AuthorizationRequest {
  return { url, requestObject, parameters, codeVerifier: r.codeVerifier, requestUri, expiresIn };
}
