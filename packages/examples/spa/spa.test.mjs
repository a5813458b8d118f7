// End to end: the SPA in Debian's headless Chromium (driven by playwright-core; no downloaded
// browser) against oidc-provider on 127.0.0.1. Run: node --test spa/spa.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { decodeAuthorizationRequest } from 'oauth-jar';
import { startSpaDemo } from './server.mjs';

const CHROMIUM = '/usr/bin/chromium';
const shots = new URL('./.tmp/', import.meta.url);

/** Debian's chromium package, installed when missing (we may be on a fresh CI machine). */
function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing; install Debian's chromium package (apt-get install chromium)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}

let demo;
let browser;
let page;
let as;

before(async () => {
  ensureChromium();
  await mkdir(shots, { recursive: true });
  demo = await startSpaDemo();
  as = await (await fetch(new URL('/.well-known/openid-configuration', demo.issuer))).json();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (err) => console.error('page error:', err));
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

/** Loads the app and waits until it is ready (key loaded, client registered). */
async function openApp() {
  await page.goto(demo.appUrl);
  await page.locator('#status[data-status="ready"], #status[data-status="error"]').waitFor();
  assert.equal(await page.locator('#status').getAttribute('data-status'), 'ready', await page.locator('#status').textContent());
  return {
    kid: await page.locator('#kid').textContent(),
    clientId: await page.locator('#client-id').textContent(),
    source: await page.locator('#key-source').getAttribute('data-source'),
  };
}

/** What IndexedDB holds, read by the test itself rather than through the app. */
function storedKey() {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('oauth-jar-spa');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const record = await new Promise((resolve, reject) => {
      const req = db.transaction('keys').objectStore('keys').get('client-signing-key');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    db.close();
    const { privateKey, publicKey } = record;
    let exportError = null;
    try {
      await crypto.subtle.exportKey('jwk', privateKey);
    } catch (err) {
      exportError = err.name;
    }
    const { x, y } = await crypto.subtle.exportKey('jwk', publicKey);
    return {
      isCryptoKey: privateKey instanceof CryptoKey,
      type: privateKey.type,
      extractable: privateKey.extractable,
      algorithm: privateKey.algorithm,
      usages: privateKey.usages,
      exportError,
      publicXY: `${x}.${y}`,
    };
  });
}

/** Clicks a sign-in button; returns the authorize URL the browser was sent to and where it landed. */
async function signIn(button) {
  const sent = page.waitForRequest((req) => req.url().startsWith(as.authorization_endpoint));
  await page.click(button);
  const authorizeUrl = (await sent).url();
  // Accepted: oidc-provider's login interaction. Refused: an error page or an error redirect back.
  // Redirects are not committed: the page ends on oidc-provider's login interaction (accepted), its
  // error page at the authorize URL, or an error redirect back to /callback (refused).
  await page.waitForURL((url) => url.href !== demo.appUrl);
  return { authorizeUrl, landed: new URL(page.url()) };
}

test('the private key is a non-extractable ES256 CryptoKey kept in IndexedDB and reused after a reload', async () => {
  const first = await openApp();
  assert.equal(first.source, 'generated');
  const stored = await storedKey();
  assert.deepEqual(
    { isCryptoKey: stored.isCryptoKey, type: stored.type, extractable: stored.extractable, algorithm: stored.algorithm, usages: stored.usages },
    { isCryptoKey: true, type: 'private', extractable: false, algorithm: { name: 'ECDSA', namedCurve: 'P-256' }, usages: ['sign'] },
  );
  // WebCrypto refuses to export a non-extractable key (InvalidAccessError).
  assert.equal(stored.exportError, 'InvalidAccessError');

  await page.reload();
  const second = await openApp();
  assert.equal(second.source, 'reused');
  assert.equal(second.kid, first.kid);
  assert.equal(second.clientId, first.clientId);
  assert.equal((await storedKey()).publicXY, stored.publicXY);
  await page.screenshot({ path: new URL('app.png', shots).pathname, fullPage: true });
});

test('a signed request object is accepted: oidc-provider moves on to its login page', async () => {
  const { kid, clientId } = await openApp();
  const { authorizeUrl, landed } = await signIn('#sign-in');
  const decoded = decodeAuthorizationRequest(authorizeUrl);
  assert.equal(decoded.encrypted, false);
  assert.deepEqual(decoded.header, { alg: 'ES256', kid, typ: 'oauth-authz-req+jwt' });
  assert.equal(decoded.claims.iss, clientId);
  assert.equal(decoded.claims.aud, demo.issuer);
  assert.match(landed.pathname, /^\/interaction\//);
  await page.getByRole('button', { name: /sign-in/i }).waitFor();
});

test('a signed-then-encrypted request object is accepted too', async () => {
  await openApp();
  const jwks = await (await fetch(as.jwks_uri)).json();
  const encKey = jwks.keys.find((k) => k.use === 'enc');
  const { authorizeUrl, landed } = await signIn('#sign-in-encrypted');
  const decoded = decodeAuthorizationRequest(authorizeUrl);
  assert.equal(decoded.encrypted, true);
  assert.deepEqual(decoded.header, { alg: 'ECDH-ES', enc: 'A256GCM', cty: 'JWT', kid: encKey.kid, epk: decoded.header.epk });
  assert.equal(decoded.claims, undefined); // only the AS can read them
  assert.match(landed.pathname, /^\/interaction\//);
  await page.getByRole('button', { name: /sign-in/i }).waitFor();
  await page.screenshot({ path: new URL('login.png', shots).pathname, fullPage: true });
  await copyFile(new URL('login.png', shots), '/tmp/spa.png');
});

test('the AS checks the signature: the same request with a tampered signature is refused', async () => {
  await openApp();
  const sent = page.waitForRequest((req) => req.url().startsWith(as.authorization_endpoint));
  // Build the request but stop the navigation, then replay it with one signature character changed.
  await page.route(`${as.authorization_endpoint}**`, (route) => route.abort());
  await page.click('#sign-in');
  const url = new URL((await sent).url());
  await page.unroute(`${as.authorization_endpoint}**`);
  const [h, p, s] = url.searchParams.get('request').split('.');
  url.searchParams.set('request', `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`);
  await page.goto(url.href);
  // redirect_uri is registered and copied to the query, so oidc-provider answers by redirect
  // (RFC 6749 §4.1.2.1) instead of showing its login page; the SPA shows the error.
  const landed = new URL(page.url());
  assert.equal(`${landed.origin}${landed.pathname}`, new URL('/callback', demo.appUrl).href);
  assert.equal(landed.searchParams.get('error'), 'invalid_request_object');
  await page.locator('#status[data-status="error"]').waitFor();
  assert.match(await page.locator('#status').textContent(), /invalid_request_object/);
  await page.screenshot({ path: new URL('refused.png', shots).pathname, fullPage: true });
});

test('the whole flow: log in, consent, back on /callback the SPA redeems the code with PKCE', async () => {
  await openApp();
  const { landed } = await signIn('#sign-in-encrypted');
  assert.match(landed.pathname, /^\/interaction\//);
  // oidc-provider's development login and consent pages accept any login.
  await page.fill('input[name="login"]', 'alice');
  await page.fill('input[name="password"]', 'any');
  await page.getByRole('button', { name: /sign-in/i }).click();
  await page.getByRole('button', { name: /continue/i }).click();
  await page.locator('#status[data-status="signed-in"], #status[data-status="error"]').waitFor();
  assert.equal(await page.locator('#status').getAttribute('data-status'), 'signed-in', await page.locator('#status').textContent());
  assert.equal(await page.locator('#status').getAttribute('data-sub'), 'alice');
  await page.screenshot({ path: new URL('signed-in.png', shots).pathname, fullPage: true });
});
