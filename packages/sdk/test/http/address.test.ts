// isPrivateHost: the literal-address half of the SSRF guard (RFC 9101 §10.4), over RFC 6890's
// special-purpose ranges, including IPv6 forms that embed an IPv4 address.
import { describe, expect, it } from 'vitest';
import { isPrivateHost } from '../../src/server.js';

const host = (url: string) => new URL(url).hostname;

describe('isPrivateHost', () => {
  it.each([
    // IPv4
    '0.0.0.0', '0.1.2.3', '10.20.30.40', '100.64.0.1', '100.127.255.255', '127.0.0.1', '127.1.2.3', '169.254.169.254',
    '172.16.0.1', '172.31.255.255', '192.0.0.8', '192.0.2.1', '192.88.99.1', '192.168.1.1', '198.18.0.1', '198.19.255.255',
    '198.51.100.7', '203.0.113.9', '224.0.0.1', '240.0.0.1', '255.255.255.255',
    // IPv4 spellings the URL parser normalizes
    host('https://0x7f.1/'), host('https://2130706433/'), host('https://017700000001/'),
    // IPv6
    '[::]', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:10.0.0.5]', '[::ffff:0:a00:5]', '[::127.0.0.1]',
    '[64:ff9b::7f00:1]', '[64:ff9b::a9fe:a9fe]', '[64:ff9b:1::1]', '[100::1]', '[100::]',
    '[2002:7f00:1::1]', '[2002:a00:5::]', '[2002:a9fe:a9fe::1]', '[2001::1]', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]',
    '[2001:db8::1]', '[3fff::1]', '[fc00::1]', '[fd12:3456::1]', '[fe80::1]', '[fe80::1%25eth0]', '[fec0::1]', '[ff02::1]',
    host('https://[0:0:0:0:0:ffff:169.254.169.254]/'),
    // names
    'localhost', 'LOCALHOST', 'localhost.', 'a.b.localhost',
    // malformed literals are refused, not guessed
    '[1:2:3]', '[::1::2]', '[zz::1]', '',
  ])('%s is refused', (h) => {
    expect(isPrivateHost(h)).toBe(true);
  });

  it.each([
    'example.com', 'client.example.org', '93.184.216.34', '8.8.8.8', '100.63.255.255', '100.128.0.1', '172.32.0.1', '192.169.0.1',
    '198.20.0.1', '223.255.255.255', '[2606:4700::1111]', '[2002:5db8:d822::1]', '[64:ff9b::5db8:d822]', '[::ffff:93.184.216.34]',
    '[2a00:1450:4001::1]', host('https://[2001:4860:4860::8888]/'),
  ])('%s is allowed', (h) => {
    expect(isPrivateHost(h)).toBe(false);
  });
});
