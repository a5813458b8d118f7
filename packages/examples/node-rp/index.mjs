// pnpm --filter @oauth-jar/examples node-rp — then open the printed URL in a browser.
import { start } from './start.mjs';

const { rp, issuer, close } = await start();
console.log(`authorization server (oidc-provider)  ${issuer}`);
console.log(`relying party                         ${rp}/   ← open this, sign in with any name and password`);
console.log('Ctrl-C to stop');
process.once('SIGINT', () => close().then(() => process.exit(0)));
