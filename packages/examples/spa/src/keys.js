// The client's signing key: an ES256 key pair made by WebCrypto with `extractable: false`, so
// the private key can sign but its bytes can never be read by script (not even this app's).
// IndexedDB stores CryptoKey objects by structured clone, non-extractable ones included, so the
// same key survives reloads without ever being serialized.

const DB_NAME = 'oauth-jar-spa';
const STORE = 'keys';
const KEY_ID = 'client-signing-key';

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx(db, mode, run) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = run(t.objectStore(STORE));
    t.oncomplete = () => resolve(req.result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

/**
 * The stored key pair, or a new one (generated and stored) on the first visit.
 * @returns {Promise<{ privateKey: CryptoKey, publicKey: CryptoKey, createdAt: number, source: 'generated' | 'reused' }>}
 */
export async function loadOrCreateKeyPair() {
  const db = await openDb();
  try {
    const stored = await tx(db, 'readonly', (s) => s.get(KEY_ID));
    if (stored?.privateKey && stored?.publicKey) return { ...stored, source: 'reused' };
    // extractable: false applies to the private key; a public key is always exportable.
    const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const record = { privateKey, publicKey, createdAt: Date.now() };
    await tx(db, 'readwrite', (s) => s.put(record, KEY_ID));
    return { ...record, source: 'generated' };
  } finally {
    db.close();
  }
}

/** The public JWK with its RFC 7638 thumbprint as `kid`. */
export async function publicJwk(publicKey) {
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })));
  const kid = btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
}

export const storage = { DB_NAME, STORE, KEY_ID };
