/**
 * PROXY protocol on the remoting port: v1 and v2 headers read before the TLS
 * sniff, as RocketMQ's HandshakeHandler does; the proxied client's address
 * used by access control and events; headers trusted only from
 * `trustedProxies` while an access file is in force; malformed headers close
 * only their connection.
 */
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AccessControl, ProxyProtocolError, RequestCode, ResponseCode } from '../src/remoting/index.js';
import { parseAccessPolicy } from '../src/remoting/access/policy.js';
import { readProxyHeader } from '../src/remoting/proxy/proxy-header.js';
import { loopbackFixtures, registerFrame, requestFrame, waitFor, type Served } from './helpers/loopback.js';

const { start, peer, defer } = loopbackFixtures();

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function v1(source: string, sourcePort = 40000, family = 'TCP4', destination = '127.0.0.1'): Buffer {
  return Buffer.from(`PROXY ${family} ${source} ${destination} ${sourcePort} 9876\r\n`, 'latin1');
}

/** A v2 PROXY (or LOCAL) header over IPv4, with TLVs. */
function v2(source: readonly number[], sourcePort: number, tlvs: ReadonlyArray<[number, Buffer]> = [], command = 1): Buffer {
  const tlvBytes = Buffer.concat(tlvs.map(([type, value]) => {
    const head = Buffer.alloc(3);
    head[0] = type;
    head.writeUInt16BE(value.length, 1);
    return Buffer.concat([head, value]);
  }));
  const addresses = Buffer.alloc(12);
  Buffer.from(source).copy(addresses, 0);
  Buffer.from([127, 0, 0, 1]).copy(addresses, 4);
  addresses.writeUInt16BE(sourcePort, 8);
  addresses.writeUInt16BE(9876, 10);
  const fixed = Buffer.alloc(4);
  fixed[0] = 0x20 | command;
  fixed[1] = 0x11; // INET, STREAM
  fixed.writeUInt16BE(addresses.length + tlvBytes.length, 2);
  return Buffer.concat([V2_SIGNATURE, fixed, addresses, tlvBytes]);
}

/** Brokers may register from 10.1.2.3 only; reads are anonymous. */
const POLICY = parseAccessPolicy(`
anonymous: [client]
whiteRemoteAddresses:
  broker: ["10.1.2.3"]
`);

function routeFrame(opaque = 2): Buffer {
  return requestFrame(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' }, opaque);
}

async function guarded(trustedProxies: readonly string[]): Promise<Served> {
  return start({ server: { accessControl: new AccessControl(POLICY), trustedProxies, tls: { mode: 'disabled' } } });
}

describe('reading PROXY headers', () => {
  it('reads v1 TCP4, TCP6 and UNKNOWN, and v2 PROXY and LOCAL with TLVs', () => {
    const a = readProxyHeader(Buffer.concat([v1('10.1.2.3', 5555), Buffer.from([0, 0, 0, 9])]));
    expect(a).toMatchObject({ status: 'present', headerBytes: v1('10.1.2.3', 5555).length });
    expect(a.status === 'present' && a.header.source).toEqual({ address: '10.1.2.3', port: 5555 });
    const six = readProxyHeader(v1('2001:db8::1', 1, 'TCP6', '::1'));
    expect(six.status === 'present' && six.header.source).toEqual({ address: '2001:db8::1', port: 1 });
    const unknown = readProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'));
    expect(unknown.status === 'present' && unknown.header.command).toBe('local');
    const withTlv = readProxyHeader(v2([10, 1, 2, 3], 6000, [[0xea, Buffer.from('vpce-123')]]));
    expect(withTlv.status === 'present' && withTlv.header).toMatchObject({
      version: 2, command: 'proxy', source: { address: '10.1.2.3', port: 6000 }, tlvs: [{ type: 0xea, value: Buffer.from('vpce-123') }],
    });
    const local = readProxyHeader(v2([10, 1, 2, 3], 6000, [], 0));
    expect(local.status === 'present' && local.header).toMatchObject({ command: 'local', source: null });
  });

  it('asks for more while the bytes could still be a header, and says absent from the first byte that cannot', () => {
    const header = v2([10, 1, 2, 3], 6000, [[1, Buffer.from('h2')]]);
    for (let n = 1; n < header.length; n++) expect(readProxyHeader(header.subarray(0, n)).status).toBe('more');
    const text = v1('10.1.2.3');
    for (let n = 1; n < text.length; n++) expect(readProxyHeader(text.subarray(0, n)).status).toBe('more');
    expect(readProxyHeader(Buffer.from([0x00])).status).toBe('absent'); // a frame's length
    expect(readProxyHeader(Buffer.from([0x16, 0x03])).status).toBe('absent'); // a TLS handshake
    expect(readProxyHeader(Buffer.from('PROXZ')).status).toBe('absent');
  });

  it('refuses malformed headers with a reason', () => {
    const bad = [
      'PROXY TCP4 10.1.2.3 127.0.0.1 40000\r\n', 'PROXY TCP4 ::1 127.0.0.1 1 2\r\n', 'PROXY TCP4 10.1.2.3 127.0.0.1 65536 1\r\n',
      'PROXY UDP4 10.1.2.3 127.0.0.1 1 2\r\n', 'PROXY TCP4 10.1.2.3 127.0.0.1 1 2\n', `PROXY ${'x'.repeat(120)}`,
    ];
    for (const text of bad) expect(readProxyHeader(Buffer.from(text, 'latin1')).status).toBe('invalid');
    const wrongVersion = v2([10, 1, 2, 3], 1);
    wrongVersion[12] = 0x31;
    expect(readProxyHeader(wrongVersion).status).toBe('invalid');
    const truncatedTlv = v2([10, 1, 2, 3], 1, [[1, Buffer.from('abc')]]);
    truncatedTlv.writeUInt16BE(truncatedTlv.readUInt16BE(14) - 1, 14);
    expect(readProxyHeader(truncatedTlv.subarray(0, truncatedTlv.length - 1)).status).toBe('invalid');
  });

  it('never throws, whatever follows a signature', () => {
    fc.assert(fc.property(fc.boolean(), fc.uint8Array({ maxLength: 300 }), (binary, tail) => {
      const bytes = Buffer.concat([binary ? V2_SIGNATURE : Buffer.from('PROXY '), Buffer.from(tail)]);
      const read = readProxyHeader(bytes);
      expect(['more', 'present', 'invalid']).toContain(read.status);
      if (read.status === 'present') expect(read.headerBytes).toBeLessThanOrEqual(bytes.length);
    }), { numRuns: 2_000 });
  });
});

describe('PROXY headers on the remoting port', () => {
  it('a trusted proxy speaks for the white-listed client: v1 and v2 registrations pass, a direct one is refused', async () => {
    const s = await guarded(['127.0.0.1']);
    const direct = await peer(s.port);
    expect((await direct.request(registerFrame({ brokerName: 'direct' }))).code).toBe(ResponseCode.NO_PERMISSION);
    const viaV1 = await peer(s.port);
    viaV1.write(v1('10.1.2.3'));
    expect((await viaV1.request(registerFrame({ brokerName: 'broker-v1', brokerAddr: '10.1.2.3:10911' }))).code).toBe(ResponseCode.SUCCESS);
    const viaV2 = await peer(s.port);
    // Header and first frame in one write, as a load balancer forwards them.
    expect((await viaV2.request(Buffer.concat([v2([10, 1, 2, 3], 7000), registerFrame({ brokerName: 'broker-v2', brokerAddr: '10.1.2.4:10911' })]))).code)
      .toBe(ResponseCode.SUCCESS);
    expect(s.registry.getAllClusterInfo().clusterAddrTable['DefaultCluster']?.sort()).toEqual(['broker-v1', 'broker-v2']);
    // The proxied source does not open another class, nor a white list of someone else.
    const other = await peer(s.port);
    other.write(v1('10.9.9.9'));
    expect((await other.request(registerFrame({ brokerName: 'other' }))).code).toBe(ResponseCode.NO_PERMISSION);
  });

  it('with an access file, a header from an untrusted address closes the connection and is reported; others carry on', async () => {
    const s = await guarded(['127.0.0.1']);
    const reported: Error[] = [];
    s.server.on('protocolError', (e) => reported.push(e.error));
    const forged = await peer(s.port, '127.0.0.2');
    forged.write(Buffer.concat([v1('10.1.2.3'), registerFrame({ brokerName: 'forged' })]));
    await forged.waitClosed(3_000);
    expect(forged.frames).toHaveLength(0);
    await waitFor(() => reported.length === 1, 3_000, 'the refusal to be reported');
    expect(reported[0]).toBeInstanceOf(ProxyProtocolError);
    expect((reported[0] as ProxyProtocolError).reason).toBe('untrusted');
    expect(s.registry.getAllClusterInfo().clusterAddrTable['DefaultCluster']).toBeUndefined();
    // The same peer without a header is an ordinary client.
    const plain = await peer(s.port, '127.0.0.2');
    expect((await plain.request(routeFrame())).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('with an access file and no trusted proxies, every header is refused', async () => {
    const s = await guarded([]);
    const p = await peer(s.port);
    p.write(v2([10, 1, 2, 3], 1));
    await p.waitClosed(3_000);
  });

  it('without an access file, a header is honoured from anyone, as RocketMQ does, and names the peer in events', async () => {
    const s = await start({ server: { tls: { mode: 'disabled' } } });
    const connected: string[] = [];
    s.server.on('connect', (e) => connected.push(e.remoteAddress));
    const p = await peer(s.port, '127.0.0.3');
    p.write(v1('192.0.2.7', 41234));
    expect((await p.request(routeFrame())).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(connected).toEqual(['192.0.2.7:41234']);
  });

  it('a LOCAL header (a health check) keeps the socket address and serves the connection', async () => {
    const s = await guarded(['127.0.0.1']);
    const p = await peer(s.port);
    p.write(v2([10, 1, 2, 3], 1, [], 0));
    expect((await p.request(registerFrame({ brokerName: 'local' }))).code).toBe(ResponseCode.NO_PERMISSION);
    expect((await p.request(routeFrame(3))).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('is read before the TLS sniff: a header then a TLS handshake works on a permissive port', async () => {
    const s = await start({ server: { accessControl: new AccessControl(POLICY), trustedProxies: ['127.0.0.1'] } });
    const raw = netConnect(s.port, '127.0.0.1');
    await once(raw, 'connect');
    raw.write(v1('10.1.2.3'));
    const secure = tlsConnect({ socket: raw, rejectUnauthorized: false });
    defer(() => secure.destroy());
    await once(secure, 'secureConnect');
    secure.write(registerFrame({ brokerName: 'broker-tls', brokerAddr: '10.1.2.3:10911' }));
    await waitFor(() => s.registry.getAllClusterInfo().clusterAddrTable['DefaultCluster'] !== undefined, 3_000, 'the registration');
  });

  it('malformed or truncated headers close only their connection', async () => {
    const s = await guarded(['127.0.0.1']);
    const good = await peer(s.port);
    const broken = [
      Buffer.from('PROXY TCP4 10.1.2.3 127.0.0.1 1\r\n'), Buffer.from(`PROXY ${'9'.repeat(200)}`),
      Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x11, 0x00, 0x02, 0x0a, 0x01])]),
      Buffer.concat([V2_SIGNATURE, Buffer.from([0x2f, 0x11, 0x00, 0x00])]),
    ];
    const peers = await Promise.all(broken.map(async (bytes) => {
      const p = await peer(s.port);
      p.write(bytes);
      return p;
    }));
    for (const p of peers) await p.waitClosed(3_000);
    // A header cut short by the peer's close costs nothing either.
    const cut = await peer(s.port);
    cut.write(v1('10.1.2.3').subarray(0, 10));
    cut.destroy();
    expect((await good.request(routeFrame())).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    await waitFor(() => s.server.connectionCount === 1, 3_000, 'the broken connections to be forgotten');
  });
});
