/**
 * The `rocketmq-namesrv` bin as an operator runs it, from source through tsx
 * (a dev dependency: no build needed): exit codes and one-line failures,
 * -p / --version / -h, signals (SIGTERM stops, SIGHUP reloads the access
 * file), log lines, and the HTTP side (nsaddr, console, tokens). Loopback
 * only, every wait bounded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../src/core/version.js';
import { RemotingClient, RequestCode } from '../src/remoting/index.js';
import { encodeFrame, encodeRegisterBrokerBody } from '../src/remoting/codec/index.js';
import { registerBroker } from './helpers/loopback.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const WAIT_MILLIS = 10_000;

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** A running bin with its output collected. */
interface Bin {
  readonly child: Child;
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves the first match of `pattern` in stdout or stderr (bounded). */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves the exit code (bounded). */
  exited(): Promise<number | null>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'namesrv-cli-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function bin(args: string[]): Bin {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exit;
    }
  });
  const bounded = <T>(p: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${WAIT_MILLIS} ms; stdout: ${out}\nstderr: ${err}`)), WAIT_MILLIS);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  };
  return {
    child,
    out: () => out,
    err: () => err,
    exited: () => bounded(exit, 'no exit'),
    waitFor: (pattern) => bounded(new Promise<RegExpExecArray>((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(out) ?? pattern.exec(err);
        if (m === null) return;
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        resolve(m);
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      void exit.then(() => reject(new Error(`exited before ${String(pattern)}; stdout: ${out}\nstderr: ${err}`)));
      check();
    }), `no ${String(pattern)}`),
  };
}

/** Starts the bin on loopback with a scratch KV file and resolves its remoting port. */
async function started(args: string[]): Promise<{ bin: Bin; port: number; httpPort: number | null; dir: string }> {
  const dir = await scratch();
  const b = bin(['--port', '0', '--host', '127.0.0.1', '--kv-config', join(dir, 'kv.json'), ...args]);
  const m = await b.waitFor(/boot success.*address [^\s]*:(\d+)/);
  const http = args.includes('--http-port') ? Number((await b.waitFor(/HTTP API on http:\/\/[^\s]*:(\d+)/))[1]) : null;
  return { bin: b, port: Number(m[1]), httpPort: http, dir };
}

function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { connection: 'close', ...headers }, timeout: WAIT_MILLIS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('timeout', () => req.destroy(new Error('HTTP timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The lines a failed start wrote to stderr, without blank ones. */
function stderrLines(b: Bin): string[] {
  return b.err().split('\n').filter((l) => l.trim() !== '');
}

describe('one-shot commands', () => {
  it('-p prints the effective configuration, listenPort from -c, and exits 0', async () => {
    const dir = await scratch();
    const file = join(dir, 'namesrv.properties');
    await writeFile(file, 'listenPort=9911\norderMessageEnable=true\nmaxConnections=77\n');
    const b = bin(['-c', file, '-p', '--memory-budget-bytes', '134217728']);
    expect(await b.exited()).toBe(0);
    const lines = b.out().split('\n');
    for (const line of ['listenPort=9911', 'orderMessageEnable=true', 'kvConfigPath=', 'scanNotActiveBrokerInterval=5000',
      'serverChannelMaxIdleTimeSeconds=120', 'maxConnections=77', 'memoryBudgetBytes=134217728', 'maxRequestsInFlightPerConnection=16']) {
      expect(lines.some((l) => l.startsWith(line)), line).toBe(true);
    }
  });

  it('--version prints the version; -h lists the limits and --http-host', async () => {
    const v = bin(['--version']);
    expect(await v.exited()).toBe(0);
    expect(v.out().trim()).toBe(VERSION);
    const h = bin(['-h']);
    expect(await h.exited()).toBe(0);
    for (const flag of ['--http-host', '--max-connections', '--idle-timeout-seconds', '--max-frame-bytes', '--memory-budget-bytes',
      '--max-requests-in-flight', '--access-file', '--log-format']) {
      expect(h.out()).toContain(flag);
    }
  });

  it('a bad command line prints the usage and exits 2', async () => {
    const b = bin(['--bogus']);
    expect(await b.exited()).toBe(2);
    expect(b.err()).toContain('Usage: rocketmq-namesrv');
  });
});

describe('start-up failures: one line on stderr, no stack', () => {
  it('a bad value in the -c file exits 1 naming the key', async () => {
    const dir = await scratch();
    const file = join(dir, 'namesrv.properties');
    await writeFile(file, 'listenPort=nine\n');
    const b = bin(['-c', file]);
    expect(await b.exited()).toBe(1);
    expect(stderrLines(b)).toHaveLength(1);
    expect(b.err()).toMatch(/start-up failed: invalid value for listenPort: "nine"/);
  });

  it('a port in use exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const dir = await scratch();
    const b = bin(['--port', String((taken.address() as AddressInfo).port), '--host', '127.0.0.1', '--kv-config', join(dir, 'kv.json')]);
    expect(await b.exited()).toBe(1);
    expect(stderrLines(b)).toEqual([expect.stringMatching(/start-up failed: .*EADDRINUSE/)]);
  });

  it('an unreadable KV file and a TLS mode without a certificate exit 1', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'kv.json'), '{ not json');
    const kv = bin(['--port', '0', '--host', '127.0.0.1', '--kv-config', join(dir, 'kv.json')]);
    expect(await kv.exited()).toBe(1);
    expect(stderrLines(kv)).toEqual([expect.stringMatching(/start-up failed: cannot load KV config/)]);
    const tls = bin(['--port', '0', '--host', '127.0.0.1', '--kv-config', join(dir, 'kv2.json'),
      '-Dtls.server.mode=enforcing', '-Dtls.test.mode.enable=false']);
    expect(await tls.exited()).toBe(1);
    expect(stderrLines(tls)).toEqual([expect.stringMatching(/start-up failed: TLS certPath/)]);
  });

  it('an unreadable or invalid access file exits 2', async () => {
    const dir = await scratch();
    const missing = bin(['--port', '0', '--host', '127.0.0.1', '--kv-config', join(dir, 'kv.json'), '--access-file', join(dir, 'none.yml')]);
    expect(await missing.exited()).toBe(2);
    await writeFile(join(dir, 'bad.yml'), 'anonymous: [everyone]\n');
    const invalid = bin(['--port', '0', '--host', '127.0.0.1', '--kv-config', join(dir, 'kv.json'), '--access-file', join(dir, 'bad.yml')]);
    expect(await invalid.exited()).toBe(2);
    expect(stderrLines(invalid)).toEqual([expect.stringMatching(/start-up failed: invalid access file .*anonymous/)]);
  });

  it('warns in one line when a non-loopback address is bound without an access file', async () => {
    const dir = await scratch();
    // 192.0.2.1 (TEST-NET-1) is never assigned here: the bind fails after the warning, nothing listens.
    const b = bin(['--port', '0', '--host', '192.0.2.1', '--kv-config', join(dir, 'kv.json')]);
    expect(await b.exited()).toBe(1);
    expect(b.err().match(/WARNING: remoting listens on 192\.0\.2\.1 without an access file/g)).toHaveLength(1);
  });
});

describe('start lines', () => {
  it('are a few short lines saying what listens where, with a hint when HTTP is off; the configuration is at debug', async () => {
    const { bin: b } = await started([]);
    const hint = await b.waitFor(/HTTP is off: --http-port PORT serves the console, \/metrics and the \/health probes/);
    expect(hint).not.toBeNull();
    const lines = `${b.out()}${b.err()}`.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeLessThanOrEqual(4);
    for (const line of lines) expect(line.length).toBeLessThan(200);
    const debug = await started(['--log-level', 'debug']);
    await debug.bin.waitFor(/effective configuration .*listenPort=/);
  });
});

describe('a running server', () => {
  it('logs the config file and a broker registration as grep-able lines, and stops on SIGTERM', async () => {
    const dir = await scratch();
    const file = join(dir, 'namesrv.properties');
    await writeFile(file, 'orderMessageEnable=true\n');
    const { bin: b, port } = await started(['-c', file]);
    expect(b.out()).toContain(`load config properties file OK, ${file}`);
    expect(b.out()).not.toContain('effective configuration'); // at debug: -p prints it
    const client = await RemotingClient.connect(port, '127.0.0.1');
    try {
      expect((await registerBroker(client, { brokerAddr: '127.0.0.1:10911' })).code).toBe(0);
      await b.waitFor(/broker registered addr=127\.0\.0\.1:10911 cluster=DefaultCluster broker=broker-a id=0/);
      // RocketMQ refuses a first registration carrying exactly one topic: the log says so, with the reason.
      expect((await registerBroker(client, { brokerAddr: '127.0.0.1:10921', brokerName: 'broker-b', topics: ['Only'] })).code).not.toBe(0);
      await b.waitFor(/WARN {2}broker registration refused addr=127\.0\.0\.1:10921 .*reason=".*exactly one topic/);
    } finally {
      await client.close();
    }
    await b.waitFor(/broker removed addr=127\.0\.0\.1:10911 .*reason=channelDestroyed/);
    b.child.kill('SIGTERM');
    expect(await b.exited()).toBe(0);
    expect(b.out()).toMatch(/shut down/);
  });

  it('UPDATE_NAMESRV_CONFIG (318) changes only live NamesrvConfig switches: network, security, file and limit keys answer 16, the -c file stays byte-identical, and the log says so', async () => {
    const dir = await scratch();
    const file = join(dir, 'namesrv.properties');
    const original = 'orderMessageEnable=false\nbindAddress=127.0.0.1\n# an operator comment\nmaxConnections=50\n';
    await writeFile(file, original);
    const { bin: b, port } = await started(['-c', file]);
    const client = await RemotingClient.connect(port, '127.0.0.1');
    try {
      const update = (body: string) => client.invoke(RequestCode.UPDATE_NAMESRV_CONFIG, {}, Buffer.from(body, 'utf8'));
      for (const key of [
        'accessConfigFile', 'bindAddress', 'listenPort', 'httpHost', 'httpPort', 'httpTokenFile', 'tls.server.mode', 'tls.config.file',
        'memoryBudgetBytes', 'maxFrameBytes', 'maxConnections', 'kvConfigPath', 'configStorePath', 'serverChannelMaxIdleTimeSeconds',
      ]) {
        const res = await update(`orderMessageEnable=true\n${key}=/tmp/attacker\n`);
        expect([key, res.code, res.remark]).toEqual([key, 16, 'Can not update config in black list.']);
      }
      expect(await readFile(file, 'utf8')).toBe(original);
      await b.waitFor(/WARN {2}config update refused .*keys=.*accessConfigFile/);
      const got = await client.invoke(RequestCode.GET_NAMESRV_CONFIG);
      expect(got.body?.toString('utf8')).toMatch(/^orderMessageEnable=false$/m);
      // A live switch is still applied and persisted.
      expect((await update('orderMessageEnable=true\n')).code).toBe(0);
      await b.waitFor(/config changed keys=.*orderMessageEnable/);
      expect(await readFile(file, 'utf8')).toMatch(/^orderMessageEnable=true$/m);
    } finally {
      await client.close();
    }
  });

  it('--log-format json writes JSON lines', async () => {
    const { bin: b, port } = await started(['--log-format', 'json', '--log-level', 'debug']);
    const client = await RemotingClient.connect(port, '127.0.0.1');
    await registerBroker(client);
    await b.waitFor(/"msg":"broker registered"/);
    await client.close();
    b.child.kill('SIGTERM');
    expect(await b.exited()).toBe(0);
    const records = b.out().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const r of records) expect(Object.keys(r).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    expect(records).toContainEqual(expect.objectContaining({ level: 'info', msg: 'broker registered', addr: '127.0.0.1:10911', id: 0 }));
    expect(records).toContainEqual(expect.objectContaining({ level: 'debug', msg: 'connection accepted' }));
  });

  it('SIGHUP reloads the access file; a bad file keeps the old policy and the server keeps serving', async () => {
    const dir = await scratch();
    const access = join(dir, 'access.yml');
    await writeFile(access, 'accounts:\n  - { accessKey: ops, secretKey: s3cret, roles: [admin] }\n');
    const { bin: b, port } = await started(['--access-file', access]);
    expect(b.out()).toContain(`access=${access}`);
    b.child.kill('SIGHUP');
    await b.waitFor(/access file reloaded/);
    await writeFile(access, 'accounts: [\n');
    b.child.kill('SIGHUP');
    await b.waitFor(/ERROR access file reload failed, previous policy kept .*not valid YAML/);
    const client = await RemotingClient.connect(port, '127.0.0.1');
    try {
      const route = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Nope' });
      expect(route.code).toBe(17); // TOPIC_NOT_EXIST: answered, the server lives on
    } finally {
      await client.close();
    }
    expect(b.child.exitCode).toBeNull();
  });
});

describe('HTTP from the CLI', () => {
  it('serves the console at /, nsaddr from --ns-addrs, and the health probes', async () => {
    const { httpPort } = await started(['--http-port', '0', '--http-host', '127.0.0.1', '--ns-addrs', '10.0.0.1:9876;10.0.0.2:9876']);
    const page = await httpGet(httpPort!, '/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    const ns = await httpGet(httpPort!, '/rocketmq/nsaddr');
    expect(ns).toMatchObject({ status: 200, body: '10.0.0.1:9876;10.0.0.2:9876' });
    expect((await httpGet(httpPort!, '/health/ready')).status).toBe(200);
  });

  it('--http-max-body-memory-bytes caps the HTTP request bodies held at once: a body past it gets 503', async () => {
    const { httpPort } = await started(['--http-port', '0', '--http-host', '127.0.0.1', '--http-max-body-memory-bytes', '1024']);
    const put = (value: string) => fetch(`http://127.0.0.1:${httpPort}/kv/ns/key`, {
      method: 'PUT', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ value }),
    });
    expect((await put('x'.repeat(2_000))).status).toBe(503);
    expect((await put('small')).status).toBe(204);
  });

  it('--no-console answers 404 at /; a token file guards the API', async () => {
    const dir = await scratch();
    const tokens = join(dir, 'tokens.yml');
    await writeFile(tokens, 'tokens:\n  - { token: "reader-token", roles: [client] }\n');
    const { httpPort } = await started(['--http-port', '0', '--http-host', '127.0.0.1', '--no-console', '--http-token-file', tokens]);
    expect((await httpGet(httpPort!, '/')).status).toBe(404);
    expect((await httpGet(httpPort!, '/cluster')).status).toBe(401);
    expect((await httpGet(httpPort!, '/cluster', { authorization: 'Bearer reader-token' })).status).toBe(200);
  });
});

describe('behind a load balancer', () => {
  it('--trusted-proxies: a PROXY v1 header from the trusted address opens the white list of its client; from another address the connection closes', async () => {
    const dir = await scratch();
    const access = join(dir, 'access.yml');
    await writeFile(access, 'anonymous: [client]\nwhiteRemoteAddresses:\n  broker: ["10.1.2.3"]\n');
    const { port } = await started(['--access-file', access, '--trusted-proxies', '127.0.0.1']);
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: { topicConfigTable: new Map(), dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 } }, filterServerList: [],
    }, false);
    const frame = encodeFrame({
      code: RequestCode.REGISTER_BROKER, language: 0, version: 479, opaque: 7, flag: 0, remark: null,
      extFields: { clusterName: 'C', brokerName: 'b', brokerAddr: '10.1.2.3:10911', brokerId: '0', haServerAddr: '', compressed: 'false' },
    }, body);
    const send = (localAddress: string): Promise<{ code: number | null; closed: boolean }> => new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress });
      let data = Buffer.alloc(0);
      socket.on('error', () => undefined);
      socket.on('connect', () => socket.write(Buffer.concat([Buffer.from('PROXY TCP4 10.1.2.3 127.0.0.1 40000 9876\r\n'), frame])));
      socket.on('data', (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        if (data.length >= 8 && data.length >= 4 + data.readInt32BE(0)) {
          const header = JSON.parse(data.subarray(8, 8 + (data.readInt32BE(4) & 0xffffff)).toString()) as { code: number };
          socket.destroy();
          resolve({ code: header.code, closed: false });
        }
      });
      socket.on('close', () => resolve({ code: null, closed: true }));
    });
    expect(await send('127.0.0.1')).toEqual({ code: 0, closed: false });
    expect(await send('127.0.0.2')).toEqual({ code: null, closed: true });
  });
});
