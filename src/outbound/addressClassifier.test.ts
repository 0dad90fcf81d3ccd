import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { blockedReason, classifyAddress } from './addressClassifier.js';

const cases: [address: string, kind: string][] = [
  // IPv4
  ['0.0.0.0', 'unspecified'],
  ['0.255.1.2', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.254', 'cgnat'],
  ['100.128.0.1', 'public'],
  ['100.63.255.255', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['169.254.0.1', 'link_local'],
  ['169.254.169.254', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['172.15.255.255', 'public'],
  ['192.168.1.1', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['8.8.8.8', 'public'],
  ['93.184.216.34', 'public'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['[::1]', 'loopback'],
  ['fc00::1', 'unique_local'],
  ['fdff:ffff::1', 'unique_local'],
  ['fd00:ec2::254', 'metadata'],
  ['fe80::1', 'link_local'],
  ['fe80::1%eth0', 'link_local'],
  ['febf::1', 'link_local'],
  ['fec0::1', 'site_local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['2001::1', 'reserved'],
  ['100::1', 'reserved'],
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:81b::200e', 'public'],
  ['4000::1', 'reserved'],
];

describe('classifyAddress', () => {
  it.each(cases)('%s is %s', (address, kind) => {
    expect(classifyAddress(address).kind).toBe(kind);
  });

  it('refuses IPv4-mapped IPv6 in every spelling and reports the embedded address', () => {
    for (const spelling of [
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:7f00:1',
      '::FFFF:127.0.0.1',
      '[::ffff:127.0.0.1]',
    ]) {
      expect(classifyAddress(spelling)).toEqual({ kind: 'ipv4_mapped', embeddedV4: '127.0.0.1' });
    }
    expect(classifyAddress('::ffff:a9fe:a9fe')).toEqual({ kind: 'ipv4_mapped', embeddedV4: '169.254.169.254' });
    expect(classifyAddress('::ffff:8.8.8.8')).toEqual({ kind: 'ipv4_mapped', embeddedV4: '8.8.8.8' });
  });

  it('judges NAT64 and 6to4 addresses by the IPv4 address they carry', () => {
    expect(classifyAddress('64:ff9b::a00:1')).toEqual({ kind: 'private', embeddedV4: '10.0.0.1' });
    expect(classifyAddress('64:ff9b::7f00:1')).toEqual({ kind: 'loopback', embeddedV4: '127.0.0.1' });
    expect(classifyAddress('64:ff9b::808:808')).toEqual({ kind: 'public', embeddedV4: '8.8.8.8' });
    expect(classifyAddress('2002:a9fe:a9fe::1')).toEqual({ kind: 'metadata', embeddedV4: '169.254.169.254' });
    expect(classifyAddress('2002:808:808::1')).toEqual({ kind: 'public', embeddedV4: '8.8.8.8' });
    expect(classifyAddress('::127.0.0.1')).toEqual({ kind: 'reserved', embeddedV4: '127.0.0.1' });
  });

  it('treats what net.isIP rejects (hex, octal, short and integer IPv4 spellings, names) as invalid', () => {
    for (const spelling of [
      '0x7f000001',
      '2130706433',
      '0x7f.1',
      '127.1',
      '017.0.0.1',
      '127.0.0.01',
      'localhost',
      '',
    ]) {
      expect(isIP(spelling)).toBe(0);
      expect(classifyAddress(spelling).kind).toBe('invalid');
    }
  });

  it('sees those spellings as the loopback address they become in a URL or through DNS', async () => {
    for (const spelling of ['0x7f000001', '2130706433', '0x7f.1', '127.1']) {
      expect(classifyAddress(new URL(`http://${spelling}/`).hostname).kind).toBe('loopback');
      const [first] = await lookup(spelling, { all: true });
      expect(classifyAddress(first!.address).kind).toBe('loopback');
    }
    expect(classifyAddress(new URL('http://[::ffff:127.0.0.1]/').hostname).kind).toBe('ipv4_mapped');
    expect(classifyAddress(new URL('http://0251.0376.0251.0376/').hostname).kind).toBe('metadata');
  });
});

describe('blockedReason', () => {
  it('blocks every non-public address by default', () => {
    for (const [address, kind] of cases) {
      expect(blockedReason(address, false)).toBe(kind === 'public' ? undefined : kind);
    }
    expect(blockedReason('::ffff:8.8.8.8', false)).toBe('ipv4_mapped');
  });

  it('lets private-use addresses through with allowPrivateNetworks, but never metadata, multicast or unspecified', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '192.168.0.1', '100.64.0.1', '::1', 'fd12::1', 'fe80::1']) {
      expect(blockedReason(address, true)).toBeUndefined();
    }
    expect(blockedReason('::ffff:127.0.0.1', true)).toBeUndefined();
    for (const address of [
      '169.254.169.254',
      'fd00:ec2::254',
      '::ffff:169.254.169.254',
      '0.0.0.0',
      '::',
      '224.0.0.1',
    ]) {
      expect(blockedReason(address, true)).toBeDefined();
    }
    expect(blockedReason('not-an-ip', true)).toBe('invalid');
  });
});
