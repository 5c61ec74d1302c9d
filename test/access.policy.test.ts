/** The access file: parsing, validation with the bad field named, IP/CIDR matching, request classes. */
import { describe, expect, it } from 'vitest';
import {
  AccessPolicyError, matchesAny, parseAccessPolicy, parseAddressRange, requestClassOf, type AddressRange,
} from '../src/remoting/access/index.js';

const CONTRACT_EXAMPLE = `
accounts:                      # RocketMQ ACL 1.0 credentials
  - { accessKey: ops, secretKey: "s3cret-ops", roles: [admin, broker, client] }
anonymous: [client]            # classes allowed without a signature (default: [client])
whiteRemoteAddresses:          # per class: IPs or CIDRs allowed without a signature
  broker: ["127.0.0.1", "10.0.0.0/8"]
`;

function errorOf(text: string): AccessPolicyError {
  try {
    parseAccessPolicy(text, 'access.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(AccessPolicyError);
    return err as AccessPolicyError;
  }
  throw new Error('expected the file to be refused');
}

function ranges(...texts: string[]): AddressRange[] {
  return texts.map((t) => {
    const r = parseAddressRange(t);
    if (typeof r === 'string') throw new Error(r);
    return r;
  });
}

describe('access file', () => {
  it('reads the contract example', () => {
    const p = parseAccessPolicy(CONTRACT_EXAMPLE);
    expect([...p.accounts.keys()]).toEqual(['ops']);
    expect(p.accounts.get('ops')).toMatchObject({ secretKey: 's3cret-ops' });
    expect([...p.accounts.get('ops')!.roles].sort()).toEqual(['admin', 'broker', 'client']);
    expect([...p.anonymous]).toEqual(['client']);
    expect(p.whiteRemoteAddresses.get('broker')!.map((r) => r.text)).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(p.whiteRemoteAddresses.has('admin')).toBe(false);
    expect(p.tokens.size).toBe(0);
  });

  it('reads JSON (JSON is YAML) with HTTP tokens', () => {
    const p = parseAccessPolicy(JSON.stringify({
      accounts: [{ accessKey: 'b', secretKey: 'x', roles: ['broker'] }],
      anonymous: [],
      tokens: [{ token: 'tok-admin', roles: ['admin', 'client'] }, { token: 'tok-read', roles: ['client'] }],
    }));
    expect(p.anonymous.size).toBe(0);
    expect([...p.tokens.get('tok-admin')!].sort()).toEqual(['admin', 'client']);
    expect([...p.tokens.get('tok-read')!]).toEqual(['client']);
  });

  it('defaults: anonymous is [client], no white list, no accounts', () => {
    const p = parseAccessPolicy('tokens: []');
    expect([...p.anonymous]).toEqual(['client']);
    expect(p.whiteRemoteAddresses.size).toBe(0);
    expect(p.accounts.size).toBe(0);
  });

  it.each([
    ['', ''],
    ['accounts: [', ''],
    ['- a\n- b', ''],
    ['acounts: []', 'acounts'],
    ['accounts: {}', 'accounts'],
    ['accounts: [{ accessKey: a, roles: [admin] }]', 'accounts[0].secretKey'],
    ['accounts: [{ accessKey: "", secretKey: s, roles: [] }]', 'accounts[0].accessKey'],
    ['accounts: [{ accessKey: a, secretKey: 0123, roles: [] }]', 'accounts[0].secretKey'],
    ['accounts: [{ accessKey: a, secretKey: s, roles: [Admin] }]', 'accounts[0].roles[0]'],
    ['accounts: [{ accessKey: a, secretKey: s, roles: admin }]', 'accounts[0].roles'],
    ['accounts: [{ accessKey: a, secretKey: s, roles: [], admin: true }]', 'accounts[0].admin'],
    ['accounts: [{ accessKey: a, secretKey: s, roles: [] }, { accessKey: a, secretKey: t, roles: [] }]', 'accounts[1].accessKey'],
    ['anonymous: [client, root]', 'anonymous[1]'],
    ['whiteRemoteAddresses: { brokers: ["1.2.3.4"] }', 'whiteRemoteAddresses.brokers'],
    ['whiteRemoteAddresses: { broker: ["1.2.3.4", "10.0.0.*"] }', 'whiteRemoteAddresses.broker[1]'],
    ['whiteRemoteAddresses: { broker: ["10.0.0.0/33"] }', 'whiteRemoteAddresses.broker[0]'],
    ['whiteRemoteAddresses: { admin: ["fd00::/129"] }', 'whiteRemoteAddresses.admin[0]'],
    ['whiteRemoteAddresses: { admin: ["256.1.1.1"] }', 'whiteRemoteAddresses.admin[0]'],
    ['whiteRemoteAddresses: { admin: "127.0.0.1" }', 'whiteRemoteAddresses.admin'],
    ['tokens: [{ token: "a b", roles: [admin] }]', 'tokens[0].token'],
    ['tokens: [{ token: t, roles: [admin] }, { token: t, roles: [client] }]', 'tokens[1].token'],
    ['anonymous: []\nanonymous: [client]', ''],
  ])('refuses %j naming field %j', (text, field) => {
    const err = errorOf(text);
    expect(err.code).toBe('ERR_ACCESS_POLICY');
    expect(err.field).toBe(field);
    expect(err.source).toBe('access.yml');
    expect(err.message).toContain('access.yml');
  });

  it('treats a key named __proto__ as an unknown key, not as a prototype', () => {
    expect(errorOf('__proto__: { anonymous: [admin] }').field).toBe('__proto__');
  });
});

describe('white-listed addresses', () => {
  it('matches IPv4 addresses and CIDRs, host bits of the entry ignored', () => {
    const r = ranges('127.0.0.1', '10.1.2.3/8', '192.168.1.0/24');
    for (const ok of ['127.0.0.1', '10.200.0.9', '192.168.1.255']) expect(matchesAny(r, ok)).toBe(true);
    for (const no of ['127.0.0.2', '11.0.0.1', '192.168.2.1', '::1', 'not-an-ip', undefined]) expect(matchesAny(r, no)).toBe(false);
  });

  it('matches IPv4-mapped IPv6 peers (dotted or hex) against IPv4 entries, and mapped entries against IPv4 peers', () => {
    const r = ranges('10.0.0.0/8');
    expect(matchesAny(r, '::ffff:10.9.8.7')).toBe(true);
    expect(matchesAny(r, '::FFFF:a09:807')).toBe(true);
    expect(matchesAny(r, '::ffff:11.0.0.1')).toBe(false);
    const mapped = ranges('::ffff:192.168.0.0/112');
    expect(mapped[0]).toMatchObject({ family: 4, prefix: 16 });
    expect(matchesAny(mapped, '192.168.44.1')).toBe(true);
    expect(matchesAny(mapped, '::ffff:192.168.44.1')).toBe(true);
    expect(matchesAny(mapped, '192.169.0.1')).toBe(false);
  });

  it('matches IPv6 addresses and CIDRs, zone ids of peers ignored', () => {
    const r = ranges('::1', 'fd00::/8', '2001:db8:0:0:1::/80');
    expect(matchesAny(r, '::1')).toBe(true);
    expect(matchesAny(r, '0:0:0:0:0:0:0:1')).toBe(true);
    expect(matchesAny(r, 'fdab:1::77')).toBe(true);
    expect(matchesAny(r, '2001:db8::1:0:ab:cd')).toBe(true);
    expect(matchesAny(r, 'fe80::1%eth0')).toBe(false);
    expect(matchesAny(ranges('fe80::/10'), 'fe80::1%eth0')).toBe(true);
    expect(matchesAny(r, '2001:db8::2:0:0:1')).toBe(false);
    expect(matchesAny(r, '127.0.0.1')).toBe(false);
  });

  it('an IPv6 range covering ::ffff:0:0/96 (e.g. ::/0) covers IPv4 peers; 0.0.0.0/0 covers every IPv4 peer', () => {
    expect(matchesAny(ranges('::/0'), '8.8.8.8')).toBe(true);
    expect(matchesAny(ranges('0.0.0.0/0'), '::ffff:8.8.8.8')).toBe(true);
    expect(matchesAny(ranges('0.0.0.0/0'), '2001:db8::1')).toBe(false);
  });
});

describe('request classes', () => {
  it('client: route, cluster info, topic lists, member group, KV reads, 319', () => {
    for (const code of [105, 106, 206, 224, 304, 311, 312, 313, 901, 101, 219, 319]) expect(requestClassOf(code)).toBe('client');
  });

  it('broker: 103, 104, 322, 904', () => {
    for (const code of [103, 104, 322, 904]) expect(requestClassOf(code)).toBe('broker');
  });

  it('admin: every other code, known or not', () => {
    for (const code of [100, 102, 205, 216, 217, 318, 327, 0, -1, 3, 999, 905, 2_000_000]) expect(requestClassOf(code)).toBe('admin');
  });
});
