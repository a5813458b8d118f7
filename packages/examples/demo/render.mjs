// The demo's text output: short, aligned, coloured only when asked to (a TTY without NO_COLOR).

const LABEL = 18; // width of the label column
const JWT_CLAIMS = new Set(['iss', 'aud', 'iat', 'nbf', 'exp', 'jti']);
const SOURCES = { request: 'by value', request_uri: 'fetched the request_uri', par: 'from the PAR store' };

/** A value for display: URLs whole, long opaque strings shortened to their ends. */
function short(value, max = 22) {
  if (typeof value !== 'string') return JSON.stringify(value);
  if (/^(https?:|urn:)/.test(value) || value.length <= max) return value;
  return `${value.slice(0, max - 8)}…${value.slice(-6)}`;
}

/** `name value` pairs, wrapped to `width` under the value column. */
function pairs(entries, width) {
  const lines = [];
  let line = '';
  for (const [name, value] of entries) {
    const item = `${name} ${value}`;
    if (line && LABEL + 2 + line.length + 2 + item.length > width) {
      lines.push(line);
      line = item;
    } else {
      line = line ? `${line}  ${item}` : item;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Claims in wire order, times relative to `iat`. */
function claimPairs(claims) {
  return Object.entries(claims).map(([name, value]) =>
    (name === 'nbf' || name === 'exp') && typeof value === 'number' && typeof claims.iat === 'number'
      ? [name, `iat${value - claims.iat >= 0 ? '+' : ''}${value - claims.iat}s`]
      : [name, short(value)],
  );
}

/** An identifier at the end of a URL or URN shortened, its prefix kept: urn:…:request_uri:-9G1l…PGtLN */
function shortRef(value, max) {
  const cut = Math.max(value.lastIndexOf('/'), value.lastIndexOf(':')) + 1;
  return cut > 0 && /^(https?:|urn:)/.test(value) ? `${value.slice(0, cut)}${short(value.slice(cut), max)}` : short(value, max);
}

/** The URL with long values shortened to fit `width`, and its real length. */
function shortUrl(href, width) {
  const url = new URL(href);
  let line = '';
  for (const max of [30, 20, 14]) {
    const query = [...url.searchParams].map(([k, v]) => `${k}=${shortRef(v, max)}`).join('&');
    line = `${url.origin}${url.pathname}?${query}  (${href.length} chars)`;
    if (line.length <= width) break;
  }
  return line;
}

/**
 * @param {object} summary what the demo found (the `--json` document)
 * @param {{ color: boolean, width?: number }} options
 */
export function render(summary, { color, width }) {
  const w = Math.max(80, Math.min(width ?? 100, 120));
  const paint = (code) => (s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const bold = paint('1');
  const dim = paint('2');
  const green = paint('32');
  const red = paint('31');
  const yellow = paint('33');
  const out = [];
  const row = (label, lines) => {
    const [first = '', ...rest] = Array.isArray(lines) ? lines : [lines];
    out.push(`  ${dim(label.padEnd(LABEL))}${first}`);
    for (const l of rest) out.push(`  ${' '.repeat(LABEL)}${l}`);
  };

  const { authorizationServer: as, relyingParty: rp } = summary;
  out.push(bold('oauth-jar demo') + dim(' · one process on 127.0.0.1, keys made on the spot'));
  const path = (url) => (url ? new URL(url).pathname : '?');
  out.push(`  ${dim('AS')}  ${as.issuer}  ${dim(`oidc-provider 9 (authorize ${path(as.oidcProvider)}, PAR ${path(as.par)}) + oauth-jar/server (${path(as.oauthJarServer)})`)}`);
  out.push(`  ${dim('RP')}  ${rp.origin}  ${dim(`client ${rp.clientId}, key ${rp.signingKey}, discovers the AS, hosts request objects at ${path(rp.requestUriBase)}`)}`);

  summary.paths.forEach((p, i) => {
    out.push('', `${bold(`${i + 1}. ${p.title}`)}`);
    if (p.error) {
      row('build', red(`✗ ${p.error}`));
      return;
    }
    row('authorize url', shortUrl(p.url, w - LABEL - 2));
    const { encrypted, header = {}, claims = {} } = p.requestObject;
    row(encrypted ? 'header (JWE)' : 'header', pairs(Object.entries(header).map(([k, v]) => [k, short(v)]), w));
    // The JWT claims first, then the authorization request they carry (RFC 9101 §4).
    const jwt = Object.fromEntries(Object.entries(claims).filter(([k]) => JWT_CLAIMS.has(k)));
    const request = Object.entries(claims).filter(([k]) => !JWT_CLAIMS.has(k));
    row(encrypted ? 'claims (sealed)' : 'claims', [...pairs(claimPairs(jwt), w), ...pairs(request.map(([k, v]) => [k, short(v)]), w)]);

    const op = p.oidcProvider;
    if (op.accepted) row('oidc-provider', `${green('✓ accepted')} ${dim(`→ login interaction ${short(op.interaction, 30)}`)}`);
    else if (op.expected) row('oidc-provider', `${yellow('– not supported')} ${dim(`${op.error}: oidc-provider 9 fetches no request_uri, as expected`)}`);
    else row('oidc-provider', `${red('✗ refused')} ${op.error ?? `HTTP ${op.status}`}: ${op.error_description ?? ''}`);

    const jar = p.oauthJarServer;
    if (jar.accepted) {
      const how = [
        SOURCES[jar.source] ?? jar.source,
        jar.encryptionHeader && `decrypted with ${jar.encryptionHeader.kid}`,
        `${jar.header.alg} signature by ${jar.header.kid}`,
      ].filter(Boolean).join(', ');
      row('oauth-jar/server', `${green('✓ accepted')} ${dim(how)}`);
      // What the endpoint goes on with: compared with what the client sent.
      const same = request.length === Object.keys(jar.parameters).length
        && request.every(([k, v]) => JSON.stringify(jar.parameters[k]) === JSON.stringify(v));
      row('', same
        ? dim(`will use the ${request.length} request parameters, as sent`)
        : [dim('will use:'), ...pairs(Object.entries(jar.parameters).map(([k, v]) => [k, short(v)]), w)]);
    } else {
      row('oauth-jar/server', `${red('✗ refused')} ${jar.error}: ${jar.error_description ?? ''}`);
    }
  });

  const ok = summary.paths.filter((p) => p.accepted).length;
  const all = summary.paths.length;
  out.push('', (summary.accepted ? green : red)(bold(`${summary.accepted ? '✓' : '✗'} ${ok} of ${all} ways accepted`)), '');
  return out.join('\n');
}
