// pnpm example:fapi2-rp — a FAPI 2.0 Message Signing login against oidc-provider on 127.0.0.1, in
// one command: PAR with DPoP → authorize → login and consent → JARM callback → verified code →
// DPoP-bound access token.
import { fapi2Login } from './login.mjs';

const { tokens, pushes } = await fapi2Login({
  log: (step, detail) => console.log(`${step.padEnd(18)} ${typeof detail === 'string' ? detail : JSON.stringify(detail ?? '')}`),
});
console.log(`\ndone: a ${tokens.token_type}-bound access token after ${pushes} pushes (the first was asked for a DPoP nonce).`);
