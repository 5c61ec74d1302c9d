/**
 * Mutual TLS on the remoting port with RocketMQ's keys: `tls.server.need.client.auth`
 * (none | optional | require), `tls.server.authClient` and
 * `tls.server.trustCertPath`. Certificates are made for the test with openssl:
 * a CA, a client it signed, and a client signed by another CA.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AccessControl, RemotingClient, RequestCode, ResponseCode, TlsConnectionError, type TlsServerOptions } from '../src/remoting/index.js';
import { tlsOptionsFromProperties } from '../src/remoting/tls/config.js';
import { parseAccessPolicy } from '../src/remoting/access/policy.js';
import { loopbackFixtures, registerRequest, waitFor } from './helpers/loopback.js';

const { start, defer } = loopbackFixtures();
const dir = mkdtempSync(join(tmpdir(), 'namesrv-mtls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, and a certificate for `name` signed by it (key and cert files in `dir`). */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
}

function makeSigned(name: string, ca: string): void {
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.csr`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2',
    '-out', `${name}.crt`, '-extfile', `${name}.ext`);
}

function writeExt(name: string, text: string): void {
  execFileSync('sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'sh', text, join(dir, `${name}.ext`)]);
}

makeCa('ca');
makeCa('rogue-ca');
writeExt('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
makeSigned('server', 'ca');
writeExt('good-client', 'extendedKeyUsage=clientAuth');
makeSigned('good-client', 'ca');
writeExt('unknown-client', 'extendedKeyUsage=clientAuth');
makeSigned('unknown-client', 'rogue-ca');

const file = (name: string): string => join(dir, name);
const serverTls = (extra: TlsServerOptions): TlsServerOptions => ({
  mode: 'enforcing', certPath: file('server.crt'), keyPath: file('server.key'), ...extra,
});

type Client = 'good' | 'unknown' | 'none';

async function tryClient(port: number, who: Client): Promise<'served' | 'refused'> {
  const identity = who === 'none' ? {} : {
    cert: readFileSync(file(`${who}-client.crt`)), key: readFileSync(file(`${who}-client.key`)),
  };
  let client: RemotingClient;
  try {
    client = await RemotingClient.connect(port, '127.0.0.1', { tls: { rejectUnauthorized: false, ...identity }, timeoutMillis: 3_000 });
  } catch {
    return 'refused';
  }
  defer(() => client.close());
  try {
    const reply = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Missing' });
    return reply.code === ResponseCode.TOPIC_NOT_EXIST ? 'served' : 'refused';
  } catch {
    // TLS 1.3: the server's verdict on the certificate arrives after the client's handshake finished.
    return 'refused';
  }
}

describe('mutual TLS', () => {
  const cases: ReadonlyArray<[TlsServerOptions, Record<Client, 'served' | 'refused'>]> = [
    [{ needClientAuth: 'none' }, { good: 'served', unknown: 'served', none: 'served' }],
    [{ needClientAuth: 'optional', authClient: true, trustCertPath: file('ca.crt') }, { good: 'served', unknown: 'refused', none: 'served' }],
    [{ needClientAuth: 'require', authClient: true, trustCertPath: file('ca.crt') }, { good: 'served', unknown: 'refused', none: 'refused' }],
    // authClient=false is Java's insecure trust manager: a certificate is required but not verified.
    [{ needClientAuth: 'require', authClient: false }, { good: 'served', unknown: 'served', none: 'refused' }],
  ];
  for (const [options, expected] of cases) {
    it(`needClientAuth=${options.needClientAuth} authClient=${String(options.authClient ?? false)}: ${JSON.stringify(expected)}`, async () => {
      const s = await start({ server: { tls: serverTls(options) } });
      const refusals: Error[] = [];
      s.server.on('protocolError', (e) => refusals.push(e.error));
      const got: Record<string, string> = {};
      for (const who of ['good', 'unknown', 'none'] as const) got[who] = await tryClient(s.port, who);
      expect(got).toEqual(expected);
      const refused = Object.values(expected).filter((v) => v === 'refused').length;
      await waitFor(() => refusals.length === refused, 3_000, 'each refusal to be reported');
      for (const e of refusals) expect(e).toBeInstanceOf(TlsConnectionError);
    });
  }

  it("reads RocketMQ's keys", () => {
    expect(tlsOptionsFromProperties(new Map([
      ['tls.server.need.client.auth', 'REQUIRE'], ['tls.server.authClient', 'true'], ['tls.server.trustCertPath', '/ca.pem'],
    ]))).toEqual({ needClientAuth: 'require', authClient: true, trustCertPath: '/ca.pem' });
    expect(tlsOptionsFromProperties(new Map([['tls.server.need.client.auth', '']]))).toEqual({});
    expect(() => tlsOptionsFromProperties(new Map([['tls.server.need.client.auth', 'sometimes']]))).toThrow(/need\.client\.auth/);
  });

  it('an account that requires a verified client certificate is refused without one', async () => {
    const policy = parseAccessPolicy(`
accounts:
  - { accessKey: broker-a, secretKey: "secret-a-123", roles: [broker], requireClientCertificate: true }
`);
    const s = await start({
      server: {
        accessControl: new AccessControl(policy),
        tls: serverTls({ needClientAuth: 'optional', authClient: true, trustCertPath: file('ca.crt') }),
      },
    });
    const register = async (who: Client): Promise<number> => {
      const identity = who === 'none' ? {} : { cert: readFileSync(file(`${who}-client.crt`)), key: readFileSync(file(`${who}-client.key`)) };
      const client = await RemotingClient.connect(s.port, '127.0.0.1', {
        tls: { rejectUnauthorized: false, ...identity }, credentials: { accessKey: 'broker-a', secretKey: 'secret-a-123' },
      });
      defer(() => client.close());
      const { ext, body } = registerRequest({ brokerName: `broker-${who}` });
      return (await client.invoke(RequestCode.REGISTER_BROKER, ext, body)).code;
    };
    expect(await register('good')).toBe(ResponseCode.SUCCESS);
    expect(await register('none')).toBe(ResponseCode.NO_PERMISSION);
  });
});
