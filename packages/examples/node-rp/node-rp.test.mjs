// node-rp end to end on 127.0.0.1: the RP sends a JAR (signed, encrypted) to oidc-provider, a
// "browser" (fetch with a cookie jar) signs in and consents through oidc-provider's interaction
// forms, and the RP redeems the code with PKCE.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { decodeAuthorizationRequest } from 'oauth-jar';
import { start } from './start.mjs';

let app;
before(async () => {
  app = await start();
});
after(() => app.close());

/** Just enough browser: one cookie jar for 127.0.0.1 (cookies ignore ports), manual redirects. */
function browser() {
  const jar = new Map();
  const visited = [];
  async function go(url, init = {}) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()];
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    visited.push({ url: String(url), status: res.status });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      return go(new URL(location, url));
    }
    return { url: new URL(url), status: res.status, body: await res.text() };
  }
  /** Submits the page's one form, with `fields` added to its hidden inputs. */
  async function submit(page, fields) {
    const action = /<form[^>]*action="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(action, `no form on ${page.url}: ${page.body.slice(0, 200)}`);
    const form = new URLSearchParams();
    for (const [, name, value] of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form.set(name, value);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return go(new URL(action, page.url), { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  return { go, submit, visited, jar };
}

test('sign in: JAR to oidc-provider, login and consent, code exchange with PKCE', async () => {
  const b = browser();
  const loginPage = await b.go(`${app.rp}/login`);

  // The RP sent the browser to the AS with client_id and an encrypted request object only.
  const authorize = new URL(b.visited.find((v) => v.url.startsWith(`${app.issuer}/auth?`)).url);
  assert.deepEqual([...authorize.searchParams.keys()].sort(), ['client_id', 'request']);
  const decoded = decodeAuthorizationRequest(authorize);
  assert.equal(decoded.encrypted, true);
  assert.deepEqual([decoded.header.alg, decoded.header.enc, decoded.header.cty], ['RSA-OAEP-256', 'A256GCM', 'JWT']);

  // oidc-provider accepted it: its login interaction.
  assert.match(loginPage.url.pathname, /^\/interaction\//);
  assert.match(loginPage.body, /name="login"/);
  const consentPage = await b.submit(loginPage, { login: 'alice', password: 'any' });
  assert.match(consentPage.url.pathname, /^\/interaction\//);
  assert.match(consentPage.body, /value="consent"/);
  const done = await b.submit(consentPage, {});

  // Back at the RP's redirect_uri with a code, redeemed with the PKCE verifier.
  assert.equal(`${done.url.origin}${done.url.pathname}`, `${app.rp}/cb`);
  assert.ok(done.url.searchParams.get('code'));
  assert.equal(done.url.searchParams.get('iss'), app.issuer);
  assert.equal(done.status, 200, done.body);
  assert.match(done.body, /Signed in as alice\./);

  // The callback is single-use: replaying it is refused.
  const replay = await b.go(done.url);
  assert.equal(replay.status, 400);
  assert.match(replay.body, /No login in progress/);
});

test('a callback whose state is not the one sent is refused (no token request)', async () => {
  const b = browser();
  const loginPage = await b.go(`${app.rp}/login`);
  assert.match(loginPage.url.pathname, /^\/interaction\//);
  const forged = await b.go(`${app.rp}/cb?code=abc&state=forged&iss=${encodeURIComponent(app.issuer)}`);
  assert.equal(forged.status, 400);
  assert.match(forged.body, /Sign-in failed/);
  assert.doesNotMatch(forged.body, /Signed in/);
});

test('the user cancels at the AS: access_denied comes back and is shown, nothing redeemed', async () => {
  const b = browser();
  const loginPage = await b.go(`${app.rp}/login`);
  const abort = /href="([^"]*\/abort)"/.exec(loginPage.body)?.[1];
  assert.ok(abort, 'oidc-provider login page has an abort link');
  const back = await b.go(new URL(abort, loginPage.url));
  assert.equal(`${back.url.origin}${back.url.pathname}`, `${app.rp}/cb`);
  assert.equal(back.url.searchParams.get('error'), 'access_denied');
  assert.equal(back.status, 400);
  assert.match(back.body, /access_denied/);
});
