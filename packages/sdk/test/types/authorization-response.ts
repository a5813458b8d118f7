// Type-level test: compiled (never run) by `tsc -p test/tsconfig.json` (the `typecheck` script).
// verifyAuthorizationResponse's options are a discriminated union: `server` selects the JARM /
// RFC 9207 form, `clientMetadata` without `server` the OpenID4VP direct_post.jwt form. Each
// `@ts-expect-error` line fails the compile if the union becomes too loose.
import {
  verifyAuthorizationResponse,
  type AuthorizationResponse,
  type AuthorizationServerMetadata,
  type DirectPostJwtResponse,
  type JWK,
  type VerifyAuthorizationResponseOptions,
} from '../../src/index.js';

declare const as: AuthorizationServerMetadata;
declare const key: JWK;
declare const form: URLSearchParams;
const clientMetadata = { jwks: { keys: [key] } };

export async function forms(): Promise<void> {
  const jarm: AuthorizationResponse = await verifyAuthorizationResponse(new URL('https://rp.example/cb?code=c'), { server: as, clientId: 'rp-1', state: 's' });
  jarm.parameters.code;
  const vp: DirectPostJwtResponse = await verifyAuthorizationResponse(form, { decryptionKeys: [key], clientMetadata, state: 's' });
  vp.vp_token;

  // @ts-expect-error server and clientMetadata exclude each other
  await verifyAuthorizationResponse(form, { server: as, clientId: 'rp-1', decryptionKeys: [key], clientMetadata });
  // @ts-expect-error the direct_post.jwt form needs its decryption keys
  await verifyAuthorizationResponse(form, { clientMetadata });
  // @ts-expect-error the JARM form needs the client_id the response is addressed to
  await verifyAuthorizationResponse(form, { server: as });

  const either = (wallet: boolean): VerifyAuthorizationResponseOptions =>
    wallet ? { decryptionKeys: [key], clientMetadata } : { server: as, clientId: 'rp-1' };
  const verified: AuthorizationResponse | DirectPostJwtResponse = await verifyAuthorizationResponse(form, either(true));
  void verified;
}
