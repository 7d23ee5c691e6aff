import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Config } from '../../config/index.js';
import { AppError } from '../errors.js';

export type SsrfPolicy = Pick<Config, 'allowPrivateNetworks' | 'allowedCidrs'>;

/** Thrown by the guarded lookup; the dispatcher classifies it as `destination_blocked`. */
export class DestinationBlockedError extends Error {
  readonly code = 'EDESTINATIONBLOCKED';
  constructor(readonly address: string) {
    super(`destination address ${address} is not allowed`);
    this.name = 'DestinationBlockedError';
  }
}

function parseCidrs(cidrs: readonly string[]): [Ip, number][] {
  return cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
}

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

const v4 = (bytes: number[]): ipaddr.IPv4 => new ipaddr.IPv4(bytes);

/**
 * The IPv4 address an RFC 6052 address with a prefix of `prefixBits` carries: the 32 bits right
 * after the prefix, skipping bits 64–71 (the reserved "u" octet).
 */
function rfc6052Embedded(bytes: number[], prefixBits: number): ipaddr.IPv4 {
  const out: number[] = [];
  for (let i = prefixBits / 8; out.length < 4; i++) if (i !== 8) out.push(bytes[i]);
  return v4(out);
}

/**
 * Every IPv4 address an IPv6 address embeds, by the forms that carry one: IPv4-compatible
 * `::a.b.c.d`, IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, NAT64
 * `64:ff9b::/96` and the local-use `64:ff9b:1::/48`, 6to4 `2002::/16` and Teredo `2001::/32`
 * (server and client). Empty for an address of none of these forms. A packet to any of them
 * ends up at (or is relayed by way of) the IPv4 host, so they are judged by it (CONTRACT §10).
 */
export function embeddedIPv4s(ip: ipaddr.IPv6): ipaddr.IPv4[] {
  const w = ip.parts;
  const bytes = ip.toByteArray();
  const last32 = () => v4(bytes.slice(12, 16));
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0) {
    if (w[4] === 0 && (w[5] === 0 || w[5] === 0xffff)) return [last32()];
    if (w[4] === 0xffff && w[5] === 0) return [last32()];
    return [];
  }
  if (w[0] === 0x64 && w[1] === 0xff9b) {
    if (w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0) return [last32()];
    // the local-use prefix may be cut at any RFC 6052 length from its /48 on: every reading counts
    if (w[2] === 1) return [48, 56, 64, 96].map((bits) => rfc6052Embedded(bytes, bits));
    return [];
  }
  if (w[0] === 0x2002) return [v4(bytes.slice(2, 6))];
  if (w[0] === 0x2001 && w[1] === 0) {
    // Teredo: server in bits 32–63, client in bits 96–127 stored inverted
    const client = bytes.slice(12, 16).map((byte) => byte ^ 0xff);
    return [v4(bytes.slice(4, 8)), v4(client)];
  }
  return [];
}

function isBlockedIp(ip: Ip, allowed: [Ip, number][]): boolean {
  for (const [range, bits] of allowed) {
    if (range.kind() === ip.kind() && ip.match(range, bits)) return false;
  }
  if (ip.kind() === 'ipv6') {
    const embedded = embeddedIPv4s(ip as ipaddr.IPv6);
    // blocked when any embedded address is (Teredo carries two), allowed when all are public
    if (embedded.length > 0) return embedded.some((inner) => isBlockedIp(inner, allowed));
  }
  // default deny: every special-purpose range ipaddr.js knows (loopback, private, link-local,
  // CGNAT, multicast, reserved, discard 100::/64, …) is refused; only plain unicast passes
  return ip.range() !== 'unicast';
}

/**
 * True when the policy refuses a connection to this IP address: every special-purpose range,
 * and IPv6 forms that embed an IPv4 address judged by that address (see embeddedIPv4s). The one
 * classifier serves both the create-time literal check and the connect-time lookup guard.
 */
export function isBlockedAddress(address: string, policy: SsrfPolicy): boolean {
  if (policy.allowPrivateNetworks) return false;
  let ip: Ip;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return true;
  }
  // parsed per check (a few µs per allowed CIDR, usually none) rather than cached across apps
  return isBlockedIp(ip, parseCidrs(policy.allowedCidrs));
}

/** The host of a URL as an IP literal (brackets removed), or null when it is a name. */
export function literalHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? host : null;
}

/**
 * Checks a destination URL when an endpoint or source destination is created or changed:
 * http(s) only, and a literal IP host must not be blocked (400 `destination_invalid`). Host
 * names are not resolved here; the guarded lookup checks them at connect time.
 */
export function assertDestinationAllowed(rawUrl: string, policy: SsrfPolicy, field = '/url'): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new AppError('invalid_request', 'The URL is not a valid absolute URL.', {
      details: [{ path: field, message: 'must be an absolute http(s) URL' }],
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('invalid_request', 'The URL must use http or https.', {
      details: [{ path: field, message: 'must use http or https' }],
    });
  }
  if (url.username || url.password) {
    throw new AppError('destination_invalid', 'The URL must not carry credentials; use custom headers instead.');
  }
  const literal = literalHost(url);
  if (literal && isBlockedAddress(literal, policy)) {
    throw new AppError('destination_invalid', `The destination ${literal} is a private, loopback or reserved address.`);
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** What the guard resolves names with: `dns.lookup` called with `all: true` (tests pass their own). */
export type Resolver = (
  hostname: string,
  options: { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `dns.lookup` replacement for undici's connector: resolves as usual, then refuses when any
 * resolved address is blocked, so a name that points at 127.0.0.1 (or rebinds to it) never
 * connects. IP literals never reach a lookup: check them with `literalHost` before connecting.
 */
export function guardedLookup(policy: SsrfPolicy, resolve: Resolver = dnsLookup) {
  return function lookup(hostname: string, options: object, callback: LookupCallback): void {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses;
      const blocked = list.find((entry) => isBlockedAddress(entry.address, policy));
      if (blocked) return callback(new DestinationBlockedError(blocked.address), '', 0);
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
