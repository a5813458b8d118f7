/** Parses a dotted IPv4 address into its four octets (the WHATWG URL parser already normalized it). */
function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const octets = m?.slice(1).map(Number);
  return octets?.every((o) => o <= 255) ? octets : undefined;
}

/** RFC 6890 special-purpose IPv4 ranges a server-side fetch must never reach. */
function reservedIpv4([a, b, c]: number[]): boolean {
  return (
    a === 0 || // 0.0.0.0/8 "this network"
    a === 10 || // RFC 1918
    a === 127 || // loopback
    (a === 100 && b! >= 64 && b! <= 127) || // RFC 6598 shared address space (carrier-grade NAT)
    (a === 169 && b === 254) || // link-local (cloud metadata endpoints live here)
    (a === 172 && b! >= 16 && b! <= 31) || // RFC 1918
    (a === 192 && b === 168) || // RFC 1918
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 192 && b === 88 && c === 99) || // 6to4 relay anycast (RFC 7526)
    (a === 198 && (b === 18 || b === 19)) || // 198.18.0.0/15 benchmarking
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    a! >= 224 // 224/4 multicast, 240/4 reserved, broadcast
  );
}

const embedded = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];

/** Expands an IPv6 literal (without brackets) into 8 16-bit groups. */
function ipv6Groups(host: string): number[] | undefined {
  let text = host;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // a dotted IPv4 tail (::ffff:127.0.0.1)
    const o = ipv4(last);
    if (!o) return undefined;
    tail.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest, extra] = text.split('::') as [string, string | undefined, string | undefined];
  if (extra !== undefined) return undefined;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN)));
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const missing = 8 - h.length - r.length - tail.length;
  if (rest === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...h, ...new Array(Math.max(missing, 0)).fill(0), ...r, ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** RFC 6890 / IANA IPv6 special-purpose ranges; ranges that embed an IPv4 address are judged by it. */
function reservedIpv6(g: number[]): boolean {
  const [g0, g1, g2, , g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  if (g.slice(0, 5).every((x) => x === 0)) {
    // ::/128, ::1/128; ::ffff:0:0/96 IPv4-mapped and ::/96 IPv4-compatible: the embedded IPv4 address
    if (g5 === 0 && g6 === 0 && g7 <= 1) return true;
    if (g5 === 0xffff || g5 === 0) return reservedIpv4(embedded(g6, g7));
    return true;
  }
  // ::ffff:0:a.b.c.d IPv4-translated (RFC 2765)
  if (g.slice(0, 4).every((x) => x === 0) && g4 === 0xffff && g5 === 0) return reservedIpv4(embedded(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b) {
    // 64:ff9b::/96 well-known NAT64 prefix (RFC 6052): the IPv4 address it translates to
    if (g2 === 0 && g[3] === 0 && g4 === 0 && g5 === 0) return reservedIpv4(embedded(g6, g7));
    // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): translates into the operator's own network
    return true;
  }
  if (g0 === 0x2002) return reservedIpv4(embedded(g1, g2)); // 2002::/16 6to4 (RFC 3056): the embedded IPv4 address
  return (
    (g0 === 0x0100 && g1 === 0 && g2 === 0 && g[3] === 0) || // 100::/64 discard-only (RFC 6666)
    (g0 === 0x2001 && g1 < 0x0200) || // 2001::/23 IETF protocol assignments, Teredo 2001::/32 among them
    (g0 === 0x2001 && g1 === 0x0db8) || // 2001:db8::/32 documentation
    (g0 & 0xfff0) === 0x3ff0 || // 3fff::/20 documentation (RFC 9637)
    g0 === 0x5f00 || // 5f00::/16 SRv6 SIDs (RFC 9602): not globally reachable
    (g0 & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (g0 & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (g0 & 0xffc0) === 0xfec0 || // fec0::/10 site-local (deprecated)
    (g0 & 0xff00) === 0xff00 // ff00::/8 multicast
  );
}

/**
 * Whether a URL host is a name or IP literal that a server-side fetch (a `request_uri`, a
 * client's `jwks_uri`) must not reach: loopback, private, link-local, shared, documentation,
 * benchmarking, multicast and other special-purpose ranges (RFC 6890), `localhost` names, and IPv6
 * forms that embed such an IPv4 address (IPv4-mapped, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`),
 * SRv6 SIDs (`5f00::/16`), and names with an empty label (`localhost..` is `localhost`).
 * Teredo, local-use NAT64 and malformed literals are refused outright. A DNS name is judged only by
 * its text here; `oauth-jar/server` on Node also checks the addresses it resolves to.
 *
 * @example
 * ```ts
 * isPrivateHost(new URL('https://169.254.169.254/latest').hostname); // true
 * isPrivateHost('[2002:7f00:1::1]'); // true: 6to4 for 127.0.0.1
 * isPrivateHost('example.com'); // false
 * ```
 *
 * @see [RFC 9101 §10.4](https://www.rfc-editor.org/rfc/rfc9101#section-10.4) Request URI Rewrite
 * @see [RFC 6890](https://www.rfc-editor.org/rfc/rfc6890) Special-Purpose IP Address Registries
 */
export function isPrivateHost(hostname: string): boolean {
  // Every trailing dot goes (`localhost..` resolves like `localhost` in some resolvers), and a name
  // with an empty label anywhere else is no DNS name (RFC 1035 §3.1) and is refused.
  const host = hostname.toLowerCase().replace(/\.+$/, '');
  if (host === '' || host === 'localhost' || host.endsWith('.localhost')) return true;
  if (!host.startsWith('[') && !host.includes(':') && host.split('.').includes('')) return true;
  if (host.startsWith('[') || host.includes(':')) {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const groups = ipv6Groups(bare.replace(/%.*$/, ''));
    return groups === undefined ? true : reservedIpv6(groups);
  }
  const v4 = ipv4(host);
  if (v4) return reservedIpv4(v4);
  // A numeric-looking host the URL parser did not normalize (isPrivateHost called on raw text).
  return /^[0-9.]+$/.test(host) || /^0x/i.test(host);
}
