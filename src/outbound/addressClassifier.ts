import { isIPv4, isIPv6 } from 'node:net';

/** What kind of destination an IP address is, for the SSRF guard (DESIGN §5). */
export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'cgnat'
  | 'unique_local'
  | 'site_local'
  | 'ipv4_mapped'
  | 'multicast'
  | 'broadcast'
  | 'metadata'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'invalid';

export interface AddressInfo {
  kind: AddressKind;
  /** The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address. */
  embeddedV4?: string;
}

/** Cloud instance-metadata endpoints: never reachable, whatever allowPrivateNetworks says. */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '192.0.0.192']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);

/** Kinds that no setting lets through: they are never a legitimate unicast service address. */
const NEVER_ALLOWED = new Set<AddressKind>(['metadata', 'unspecified', 'multicast', 'broadcast', 'invalid']);

/** IPv4 CIDR table, most specific first where ranges nest. */
const V4_RANGES: [string, number, AddressKind][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

const V4_TABLE = V4_RANGES.map(([base, bits, kind]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (v4ToInt(base) & mask) >>> 0, mask, kind };
});

function classifyV4(ip: string): AddressInfo {
  if (METADATA_V4.has(ip)) return { kind: 'metadata' };
  const n = v4ToInt(ip);
  for (const r of V4_TABLE) {
    if ((n & r.mask) >>> 0 === r.net) return { kind: r.kind };
  }
  return { kind: 'public' };
}

/** Parses a valid IPv6 address (no zone) into 8 16-bit groups; a dotted IPv4 tail becomes the last two groups. */
function parseV6(ip: string): number[] {
  let text = ip.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const n = v4ToInt(last);
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const parse = (s: string) => (s ? s.split(':') : []).map((g) => Number.parseInt(g, 16));
  const double = text.indexOf('::');
  if (double < 0) return parse(text);
  const left = parse(text.slice(0, double));
  const right = parse(text.slice(double + 2));
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function embeddedV4(hi: number, lo: number): string {
  return [hi >>> 8, hi & 0xff, lo >>> 8, lo & 0xff].join('.');
}

function classifyV6(ip: string): AddressInfo {
  const g = parseV6(ip);
  if (g.length !== 8 || g.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffff)) return { kind: 'invalid' };
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  if (METADATA_V6.has(g.map((x) => x.toString(16)).join(':'))) return { kind: 'metadata' };
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return { kind: 'unspecified' };
  if (zeroTo(7) && g7 === 1) return { kind: 'loopback' };
  // ::ffff:0:0/96 IPv4-mapped: refused as such; the embedded address is reported too.
  if (zeroTo(5) && g5 === 0xffff) return { kind: 'ipv4_mapped', embeddedV4: embeddedV4(g6, g7) };
  // 64:ff9b::/96 NAT64 well-known prefix: as safe as the IPv4 address it translates to.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    const v4 = embeddedV4(g6, g7);
    const inner = classifyV4(v4);
    return { kind: inner.kind, embeddedV4: v4 };
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return { kind: 'private' }; // 64:ff9b:1::/48 local-use NAT64
  // ::/96 IPv4-compatible (deprecated) and the rest of ::/8.
  if (zeroTo(6)) return { kind: 'reserved', embeddedV4: embeddedV4(g6, g7) };
  if ((g0 & 0xff00) === 0) return { kind: 'reserved' };
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return { kind: 'reserved' }; // 100::/64 discard
  if (g0 === 0x2001 && g1 === 0xdb8) return { kind: 'documentation' };
  if (g0 === 0x2001 && g1 < 0x200) return { kind: 'reserved' }; // 2001::/23 incl. Teredo 2001::/32
  // 2002::/16 6to4: the IPv4 address sits in groups 1–2.
  if (g0 === 0x2002) {
    const v4 = embeddedV4(g1, g2);
    const inner = classifyV4(v4);
    return { kind: inner.kind, embeddedV4: v4 };
  }
  if ((g0 & 0xfe00) === 0xfc00) return { kind: 'unique_local' };
  if ((g0 & 0xffc0) === 0xfe80) return { kind: 'link_local' };
  if ((g0 & 0xffc0) === 0xfec0) return { kind: 'site_local' };
  if ((g0 & 0xff00) === 0xff00) return { kind: 'multicast' };
  if ((g0 & 0xe000) === 0x2000) return { kind: 'public' }; // 2000::/3 global unicast
  return { kind: 'reserved' };
}

/**
 * Classifies an IP address. Accepts what `net.isIP` accepts (dotted-quad IPv4, IPv6 with an optional zone, optionally
 * in brackets). Anything else — including hex or dotted-short IPv4 spellings, which `net.isIP` rejects — is
 * `invalid`; URLs normalise those spellings before the guard sees them, and names go through DNS first.
 */
export function classifyAddress(address: string): AddressInfo {
  let ip = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(ip)) return classifyV4(ip);
  if (!isIPv6(ip)) return { kind: 'invalid' };
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  return classifyV6(ip);
}

/**
 * Why the guard refuses this address, or undefined when it may be connected to. With `allowPrivateNetworks`,
 * loopback, private, link-local, CGNAT, unique-local and similar addresses pass (tests, on-premise installs);
 * metadata endpoints, unspecified, multicast and broadcast addresses never do.
 */
export function blockedReason(address: string, allowPrivateNetworks: boolean): AddressKind | undefined {
  const info = classifyAddress(address);
  if (info.kind === 'public') return undefined;
  if (NEVER_ALLOWED.has(info.kind)) return info.kind;
  if (!allowPrivateNetworks) return info.kind;
  if (info.kind === 'ipv4_mapped' && info.embeddedV4) {
    const inner = blockedReason(info.embeddedV4, true);
    return inner === undefined ? undefined : info.kind;
  }
  return undefined;
}
