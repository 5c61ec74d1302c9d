/**
 * TLS on the remoting port, over loopback: per-connection detection in the
 * three modes of RocketMQ's `tls.server.mode`, certificates from files (plain
 * and encrypted keys), RocketMQ's TLS properties file, the self-signed test
 * certificate, and clear start-up errors for bad certificates and keys.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectRaw } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../src/core/errors.js';
import { RouteRegistry } from '../src/index.js';
import {
  RemotingClient, RemotingConnectionError, RemotingServer, RequestCode, ResponseCode, TlsConfigError, TlsConnectionError,
  type RemotingClientOptions,
} from '../src/remoting/index.js';
import { certificateMatchesKey, generateSelfSignedCertificate, tlsOptionsFromProperties } from '../src/remoting/tls/index.js';
import { registerBroker } from './helpers/loopback.js';
import { RawPeer, loopbackFixtures, requestFrame, waitFor } from './helpers/loopback.js';

const { start, peer, defer } = loopbackFixtures();

const dir = mkdtempSync(join(tmpdir(), 'namesrv-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pair = generateSelfSignedCertificate({ altNames: ['localhost', '127.0.0.1'] });
const certPath = join(dir, 'server.crt');
const keyPath = join(dir, 'server.key');
const encryptedKeyPath = join(dir, 'server-encrypted.key');
writeFileSync(certPath, pair.cert);
writeFileSync(keyPath, pair.key);
writeFileSync(encryptedKeyPath, createPrivateKey(pair.key).export({
  type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'k3y-pass',
}));
/** A client that verifies the server against our certificate, so the handshake proves which certificate was served. */
const pinned: RemotingClientOptions = { tls: { ca: pair.cert } };

async function connect(port: number, options: RemotingClientOptions = {}): Promise<RemotingClient> {
  const c = await RemotingClient.connect(port, '127.0.0.1', options);
  defer(() => c.close());
  return c;
}

async function routeCode(c: RemotingClient, topic: string): Promise<number> {
  return (await c.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic })).code;
}

function tlsErrors(errors: readonly Error[]): TlsConnectionError[] {
  return errors.filter((e): e is TlsConnectionError => e instanceof TlsConnectionError);
}

describe('self-signed certificate (tls.test.mode.enable)', () => {
  it('is a valid X.509 v3 certificate for localhost, signed by its own key, valid around the given time', () => {
    const now = new Date('2030-06-01T00:00:00Z');
    const c = generateSelfSignedCertificate({ now, validDays: 30 });
    const x509 = new X509Certificate(c.cert);
    expect(x509.subject).toBe('CN=localhost');
    expect(x509.issuer).toBe('CN=localhost');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.ca).toBe(false);
    expect(new Date(x509.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(x509.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000);
    expect(certificateMatchesKey(c)).toBe(true);
    expect(certificateMatchesKey({ cert: c.cert, key: pair.key })).toBe(false);
  });

  it('a default server serves TLS with a fresh self-signed certificate, as RocketMQ does', async () => {
    const s = await start();
    expect(s.server.options.tls).toMatchObject({ mode: 'permissive', testMode: true, certificate: 'self-signed' });
    // `tls: true` trusts any certificate, like RocketMQ's Java client in test mode.
    const c = await connect(s.port, { tls: true });
    expect(await registerBroker(c, { topics: ['SecureTopic', 'Other'] })).toMatchObject({ code: ResponseCode.SUCCESS });
    expect(await routeCode(c, 'SecureTopic')).toBe(ResponseCode.SUCCESS);
    // A client that checks certificates refuses one it cannot verify.
    await expect(RemotingClient.connect(s.port, '127.0.0.1', pinned)).rejects.toThrow(RemotingConnectionError);
  });
});

describe('permissive (the default mode)', () => {
  it('serves a TLS client and a plaintext client on the same port, sharing one registry', async () => {
    const s = await start({ server: { tls: { certPath, keyPath } } });
    expect(s.server.options.tls.certificate).toBe('file');
    const secure = await connect(s.port, pinned);
    const plain = await connect(s.port);
    expect((await registerBroker(secure, { brokerName: 'broker-tls', brokerAddr: '10.0.0.1:10911', topics: ['T', 'T2'] })).code)
      .toBe(ResponseCode.SUCCESS);
    expect((await registerBroker(plain, { brokerName: 'broker-plain', brokerAddr: '10.0.0.2:10911', topics: ['T', 'T2'] })).code)
      .toBe(ResponseCode.SUCCESS);
    for (const c of [secure, plain]) {
      const res = await c.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T' });
      expect(res.code).toBe(ResponseCode.SUCCESS);
      const names = (JSON.parse(res.body?.toString() ?? '{}') as { brokerDatas: Array<{ brokerName: string }> })
        .brokerDatas.map((b) => b.brokerName).sort();
      expect(names).toEqual(['broker-plain', 'broker-tls']);
    }
    expect(s.events.protocolError).toEqual([]);
    // The TLS connection is the broker's channel: closing it drops that broker only.
    await secure.close();
    await waitFor(() => s.registry.liveBrokerCount === 1, 3_000, 'the TLS broker to be dropped');
    expect(await routeCode(plain, 'T')).toBe(ResponseCode.SUCCESS);
  });

  it('an encrypted key is read with keyPassword', async () => {
    const s = await start({ server: { tls: { certPath, keyPath: encryptedKeyPath, keyPassword: 'k3y-pass', testMode: false } } });
    const c = await connect(s.port, pinned);
    expect(await routeCode(c, 'Missing')).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('a garbage handshake closes only its connection; connections before and after are served', async () => {
    const s = await start({ server: { tls: { certPath, keyPath } } });
    const secure = await connect(s.port, pinned);
    const plain = await connect(s.port);
    // A raw socket: the server may answer a bad handshake with a TLS alert, which is no frame.
    const bad = connectRaw(s.port, '127.0.0.1');
    defer(() => bad.destroy());
    bad.on('error', () => undefined);
    bad.resume();
    let badClosed = false;
    bad.on('close', () => {
      badClosed = true;
    });
    await once(bad, 'connect');
    // A handshake record (0x16, TLS 1.0) holding an unknown handshake message.
    bad.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0xff, 0x00, 0x00, 0x01, 0x00]));
    await waitFor(() => badClosed, 3_000, 'the bad connection to close');
    await waitFor(() => tlsErrors(s.events.protocolError).length === 1, 3_000, 'the handshake failure to be reported');
    expect(tlsErrors(s.events.protocolError)[0]?.reason).toBe('handshake-failed');
    expect(await routeCode(secure, 'Missing')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(await routeCode(plain, 'Missing')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    const late = await connect(s.port, pinned);
    expect(await routeCode(late, 'Missing')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    await waitFor(() => s.server.connectionCount === 3, 3_000, 'the bad connection to be forgotten');
  });

  it('a silent connection and a stalled handshake are closed by the idle timeout', async () => {
    const s = await start({ server: { idleTimeoutMillis: 200, tls: { certPath, keyPath } } });
    const silent = await peer(s.port);
    const stalled = await peer(s.port);
    stalled.write(Buffer.from([0x16, 0x03, 0x01])); // the start of a record, never finished
    await waitFor(() => s.server.connectionCount === 2, 3_000, 'both connections to be counted');
    await silent.waitClosed(3_000);
    await stalled.waitClosed(3_000);
    await waitFor(() => s.server.connectionCount === 0, 3_000, 'both connections to be forgotten');
  });

  it('close() closes connections that have not spoken yet, without waiting for the idle timeout', async () => {
    const s = await start({ server: { tls: { certPath, keyPath } } });
    const silent = await peer(s.port);
    const stalled = await peer(s.port);
    stalled.write(Buffer.from([0x16, 0x03, 0x01]));
    await waitFor(() => s.server.connectionCount === 2, 3_000, 'both connections to be counted');
    await s.server.close();
    await silent.waitClosed(3_000);
    await stalled.waitClosed(3_000);
  });
});

describe('enforcing', () => {
  it('closes a plaintext connection unanswered and serves TLS clients', async () => {
    const s = await start({ server: { tls: { mode: 'enforcing', certPath, keyPath } } });
    const secure = await connect(s.port, pinned);
    const plain = await peer(s.port);
    plain.write(requestFrame(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T' }));
    await plain.waitClosed(3_000);
    expect(plain.frames).toEqual([]);
    expect(tlsErrors(s.events.protocolError).map((e) => e.reason)).toEqual(['plaintext-refused']);
    // A plaintext RemotingClient connects (TCP) but its request fails when the server closes the connection.
    const client = await connect(s.port);
    await expect(client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T' })).rejects.toThrow(RemotingConnectionError);
    expect((await registerBroker(secure, { topics: ['T', 'T2'] })).code).toBe(ResponseCode.SUCCESS);
    expect(await routeCode(secure, 'T')).toBe(ResponseCode.SUCCESS);
  });
});

describe('disabled', () => {
  it('refuses a TLS client cleanly and serves plaintext as before', async () => {
    const s = await start({ server: { tls: { mode: 'disabled', certPath: join(dir, 'never-read.crt') } } });
    expect(s.server.options.tls).toMatchObject({ mode: 'disabled', secureContext: null, certificate: null });
    await expect(RemotingClient.connect(s.port, '127.0.0.1', { tls: true, timeoutMillis: 3_000 }))
      .rejects.toThrow(RemotingConnectionError);
    const plain = await connect(s.port);
    expect((await registerBroker(plain, { topics: ['T', 'T2'] })).code).toBe(ResponseCode.SUCCESS);
    expect(await routeCode(plain, 'T')).toBe(ResponseCode.SUCCESS);
  });
});

describe('start-up errors', () => {
  const registry = new RouteRegistry();
  afterAll(() => registry.close());
  function build(tls: ConstructorParameters<typeof RemotingServer>[1]): () => RemotingServer {
    return () => new RemotingServer(registry, { port: 0, ...tls });
  }
  function configError(fn: () => unknown): TlsConfigError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(TlsConfigError);
      return err as TlsConfigError;
    }
    throw new Error('expected a TlsConfigError');
  }

  it('an unreadable certificate names the option and the file', () => {
    const missing = join(dir, 'missing.crt');
    const err = configError(build({ tls: { certPath: missing, keyPath } }));
    expect(err).toMatchObject({ code: 'ERR_TLS_CONFIG', option: 'certPath', path: missing });
    expect(err.message).toContain(missing);
  });

  it('a key that is not a key, belongs to another certificate, or needs a password names keyPath', () => {
    const junk = join(dir, 'junk.key');
    writeFileSync(junk, 'not a key');
    const other = join(dir, 'other.key');
    writeFileSync(other, generateSelfSignedCertificate().key);
    expect(configError(build({ tls: { certPath, keyPath: junk } }))).toMatchObject({ option: 'keyPath', path: junk });
    expect(configError(build({ tls: { certPath, keyPath: other } })).message).toContain('does not belong');
    expect(configError(build({ tls: { certPath, keyPath: encryptedKeyPath } }))).toMatchObject({ option: 'keyPath' });
    expect(configError(build({ tls: { certPath, keyPath: encryptedKeyPath, keyPassword: 'wrong' } }))).toMatchObject({ option: 'keyPath' });
  });

  it('a certificate file that is not a certificate, a lone key, or no certificate without test mode', () => {
    expect(configError(build({ tls: { certPath: keyPath, keyPath } }))).toMatchObject({ option: 'certPath', path: keyPath });
    expect(configError(build({ tls: { keyPath } }))).toMatchObject({ option: 'certPath' });
    expect(configError(build({ tls: { testMode: false } }))).toMatchObject({ option: 'certPath' });
    // Disabled needs no certificate at all.
    expect(build({ tls: { mode: 'disabled', testMode: false } })().options.tls.secureContext).toBeNull();
  });

  it('wrong option types are InvalidOptionError', () => {
    expect(build({ tls: { mode: 'strict' as never } })).toThrow(InvalidOptionError);
    expect(build({ tls: { testMode: 'yes' as never } })).toThrow(InvalidOptionError);
    expect(() => new RemotingClient({ tls: 'yes' as never })).toThrow(InvalidOptionError);
  });
});

describe('RocketMQ TLS properties', () => {
  it('reads the tls.* keys, naming the key of a bad value', () => {
    const props = new Map([
      ['tls.server.mode', 'enforcing'], ['tls.test.mode.enable', 'FALSE'], ['tls.server.certPath', certPath],
      ['tls.server.keyPath', keyPath], ['tls.server.keyPassword', ''], ['tls.config.file', '/x/tls.properties'], ['listenPort', '9876'],
    ]);
    expect(tlsOptionsFromProperties(props)).toEqual({
      mode: 'enforcing', testMode: false, certPath, keyPath, configFile: '/x/tls.properties',
    });
    expect(() => tlsOptionsFromProperties(new Map([['tls.server.mode', 'strict']])))
      .toThrow(expect.objectContaining({ option: 'tls.server.mode' }) as Error);
    expect(() => tlsOptionsFromProperties(new Map([['tls.test.mode.enable', 'yes']])))
      .toThrow(expect.objectContaining({ option: 'tls.test.mode.enable' }) as Error);
  });

  it('tls.config.file supplies the certificate (its mode key is ignored, as in RocketMQ); a missing file is skipped', async () => {
    const file = join(dir, 'tls.properties');
    writeFileSync(file, [
      '# RocketMQ TLS settings',
      'tls.test.mode.enable=false',
      `tls.server.certPath=${certPath.replaceAll('\\', '\\\\')}`,
      `tls.server.keyPath=${encryptedKeyPath.replaceAll('\\', '\\\\')}`,
      'tls.server.keyPassword=k3y-pass',
      'tls.server.mode=disabled',
    ].join('\n'));
    const s = await start({ server: { tls: { configFile: file } } });
    expect(s.server.options.tls).toMatchObject({ mode: 'permissive', testMode: false, certificate: 'file', configFileLoaded: true });
    const secure = await connect(s.port, pinned);
    expect(await routeCode(secure, 'Missing')).toBe(ResponseCode.TOPIC_NOT_EXIST);

    const registry = new RouteRegistry();
    defer(() => registry.close());
    const skipped = new RemotingServer(registry, { port: 0, tls: { configFile: join(dir, 'absent.properties') } });
    expect(skipped.options.tls).toMatchObject({ configFileLoaded: false, certificate: 'self-signed' });
  });
});

describe('detection keeps the bytes it reads', () => {
  it('a plaintext frame whose first byte comes alone is answered on a permissive port', async () => {
    const s = await start({ server: { tls: { certPath, keyPath } } });
    const p: RawPeer = await peer(s.port);
    p.socket.setNoDelay(true);
    const frame = requestFrame(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T' });
    await new Promise((resolve) => p.socket.write(frame.subarray(0, 1), resolve));
    // A bounded pause so the first byte most likely arrives as a chunk of its own.
    await new Promise((resolve) => setTimeout(resolve, 20));
    p.write(frame.subarray(1));
    await waitFor(() => p.frames.length === 1, 3_000, 'the answer');
    expect(p.frames[0]?.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });
});
