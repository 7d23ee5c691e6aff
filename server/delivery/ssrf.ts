import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Config } from '../../config/index.js';
import { AppError } from '../errors.js';

/** ipaddr.js range names that are never a public destination. */
const BLOCKED_RANGES = new Set([
  'unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'carrierGradeNat', 'private',
  'reserved', 'uniqueLocal', 'ipv4Mapped', 'rfc6145', 'rfc6052', '6to4', 'teredo', 'benchmarking',
  'amt', 'as112', 'as112v6', 'deprecated', 'orchid2', 'droneRemoteIdProtocolEntityTags',
]);

export type SsrfPolicy = Pick<Config, 'allowPrivateNetworks' | 'allowedCidrs'>;

/** Thrown by the guarded lookup; the dispatcher classifies it as `destination_blocked`. */
export class DestinationBlockedError extends Error {
  readonly code = 'EDESTINATIONBLOCKED';
  constructor(readonly address: string) {
    super(`destination address ${address} is not allowed`);
    this.name = 'DestinationBlockedError';
  }
}

function parseCidrs(cidrs: readonly string[]): [ipaddr.IPv4 | ipaddr.IPv6, number][] {
  return cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
}

const cidrCache = new WeakMap<readonly string[], [ipaddr.IPv4 | ipaddr.IPv6, number][]>();

/** The address with IPv4-mapped IPv6 (`::ffff:127.0.0.1`) unwrapped to plain IPv4. */
function normalise(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed;
}

/** True when the policy refuses a connection to this IP address. */
export function isBlockedAddress(address: string, policy: SsrfPolicy): boolean {
  if (policy.allowPrivateNetworks) return false;
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = normalise(address);
  } catch {
    return true;
  }
  let allowed = cidrCache.get(policy.allowedCidrs);
  if (!allowed) {
    allowed = parseCidrs(policy.allowedCidrs);
    cidrCache.set(policy.allowedCidrs, allowed);
  }
  for (const [range, bits] of allowed) {
    if (range.kind() === ip.kind() && ip.match(range as never, bits)) return false;
  }
  return BLOCKED_RANGES.has(ip.range());
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
    throw new AppError('invalid_request', 'The URL is not a valid absolute URL.', { details: [{ path: field, message: 'must be an absolute http(s) URL' }] });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('invalid_request', 'The URL must use http or https.', { details: [{ path: field, message: 'must use http or https' }] });
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

/**
 * A `dns.lookup` replacement for undici's connector: resolves as usual, then refuses when any
 * resolved address is blocked, so a name that points at 127.0.0.1 (or rebinds to it) never
 * connects. IP literals never reach a lookup: check them with `literalHost` before connecting.
 */
export function guardedLookup(policy: SsrfPolicy) {
  return function lookup(hostname: string, options: object, callback: LookupCallback): void {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const blocked = list.find((entry) => isBlockedAddress(entry.address, policy));
      if (blocked) return callback(new DestinationBlockedError(blocked.address) as unknown as NodeJS.ErrnoException, '', 0);
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
