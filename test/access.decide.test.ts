/** Access decisions for one request, every refusal path; the live policy and its reload; RemotingClient signing. */
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccessControl, AccessPolicyError, decide, parseAccessPolicy, signExtFields, verifySignature, type AccessDecision,
  type AccessPolicy,
} from '../src/remoting/access/index.js';
import { RemotingClient, type RemotingCommand } from '../src/remoting/index.js';
import { FrameDecoder, decodeFrameAt, encodeFrame } from '../src/remoting/codec/frame.js';

const POLICY = parseAccessPolicy(`
accounts:
  - { accessKey: ops, secretKey: "s3cret-ops", roles: [admin, broker, client] }
  - { accessKey: broker-a, secretKey: "bk-secret", roles: [broker] }
anonymous: [client]
whiteRemoteAddresses:
  broker: ["127.0.0.1", "10.0.0.0/8"]
`);
const OPS = { accessKey: 'ops', secretKey: 's3cret-ops' };
const BROKER = { accessKey: 'broker-a', secretKey: 'bk-secret' };
const OUTSIDE = '203.0.113.7';
const BODY = Buffer.from('{"topicConfigSerializeWrapper":{}}');

function refused(d: AccessDecision): Extract<AccessDecision, { status: 'refused' }> {
  expect(d.status).toBe('refused');
  return d as Extract<AccessDecision, { status: 'refused' }>;
}

describe('decide()', () => {
  it('lets anonymous classes through unsigned, from anywhere', () => {
    expect(decide(POLICY, { code: 105, extFields: { topic: 't' }, body: null, remoteAddress: OUTSIDE }))
      .toEqual({ status: 'allowed', className: 'client', via: 'anonymous', accessKey: null });
  });

  it('lets a white-listed address send its class unsigned (IPv4-mapped included), and only that class', () => {
    for (const remoteAddress of ['127.0.0.1', '::ffff:10.1.1.1']) {
      expect(decide(POLICY, { code: 904, extFields: {}, body: null, remoteAddress })).toMatchObject({ status: 'allowed', via: 'whitelist' });
    }
    const d = refused(decide(POLICY, { code: 205, extFields: { brokerName: 'b' }, body: null, remoteAddress: '127.0.0.1' }));
    expect(d).toMatchObject({ className: 'admin', reason: 'unsigned' });
  });

  it('refuses an unsigned request of a non-anonymous class from a non-white-listed address', () => {
    const d = refused(decide(POLICY, { code: 103, extFields: {}, body: BODY, remoteAddress: OUTSIDE }));
    expect(d.reason).toBe('unsigned');
    expect(d.className).toBe('broker');
    expect(d.remark).toContain('broker');
  });

  it('lets a valid signature of an account holding the class through', () => {
    const extFields = signExtFields(OPS, { namespace: 'ns', key: 'k', value: 'v' }, null);
    expect(decide(POLICY, { code: 100, extFields, body: null, remoteAddress: OUTSIDE }))
      .toEqual({ status: 'allowed', className: 'admin', via: 'signature', accessKey: 'ops' });
    const reg = signExtFields(BROKER, { brokerName: 'broker-a' }, BODY);
    expect(decide(POLICY, { code: 103, extFields: reg, body: BODY, remoteAddress: OUTSIDE })).toMatchObject({ status: 'allowed', via: 'signature' });
  });

  it('refuses a wrong secret', () => {
    const extFields = signExtFields({ accessKey: 'ops', secretKey: 'guess' }, { brokerName: 'b' }, null);
    expect(refused(decide(POLICY, { code: 205, extFields, body: null, remoteAddress: OUTSIDE })).reason).toBe('bad-signature');
  });

  it('refuses an unknown AccessKey, with the same remark as a bad signature', () => {
    const extFields = signExtFields({ accessKey: 'nobody', secretKey: 'x' }, { brokerName: 'b' }, null);
    const d = refused(decide(POLICY, { code: 205, extFields, body: null, remoteAddress: OUTSIDE }));
    expect(d.reason).toBe('unknown-access-key');
    const bad = refused(decide(POLICY, {
      code: 205, extFields: signExtFields({ accessKey: 'ops', secretKey: 'x' }, { brokerName: 'b' }, null), body: null, remoteAddress: OUTSIDE,
    }));
    expect(d.remark).toBe(bad.remark);
  });

  it('refuses a tampered field and a tampered body', () => {
    const extFields = signExtFields(BROKER, { brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911' }, BODY);
    const tamperedField = { ...extFields, brokerAddr: '10.6.6.6:10911' };
    expect(refused(decide(POLICY, { code: 103, extFields: tamperedField, body: BODY, remoteAddress: OUTSIDE })).reason).toBe('bad-signature');
    const added = { ...extFields, compressed: 'true' };
    expect(refused(decide(POLICY, { code: 103, extFields: added, body: BODY, remoteAddress: OUTSIDE })).reason).toBe('bad-signature');
    const body = Buffer.from(BODY);
    body[2] = body[2]! ^ 1;
    expect(refused(decide(POLICY, { code: 103, extFields, body, remoteAddress: OUTSIDE })).reason).toBe('bad-signature');
  });

  it('refuses a valid signature of an account without the class', () => {
    const extFields = signExtFields(BROKER, { topic: 'T' }, null);
    const d = refused(decide(POLICY, { code: 216, extFields, body: null, remoteAddress: OUTSIDE }));
    expect(d).toMatchObject({ reason: 'role-missing', className: 'admin' });
    expect(d.remark).toContain('"admin"');
  });

  it('a valid signature without the role still passes where the class is open anyway', () => {
    const extFields = signExtFields(BROKER, { topic: 'T' }, null);
    expect(decide(POLICY, { code: 105, extFields, body: null, remoteAddress: OUTSIDE })).toMatchObject({ status: 'allowed', via: 'anonymous' });
  });

  it('refuses an invalid signature even for an anonymous class or from a white-listed address', () => {
    const forged = { topic: 't', AccessKey: 'ops', Signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' };
    expect(refused(decide(POLICY, { code: 105, extFields: forged, body: null, remoteAddress: OUTSIDE })).reason).toBe('bad-signature');
    expect(refused(decide(POLICY, { code: 904, extFields: forged, body: null, remoteAddress: '127.0.0.1' })).reason).toBe('bad-signature');
    const unknown = { topic: 't', AccessKey: 'ghost', Signature: 'x' };
    expect(refused(decide(POLICY, { code: 105, extFields: unknown, body: null, remoteAddress: OUTSIDE })).reason).toBe('unknown-access-key');
  });

  it('refuses half a signature (AccessKey without Signature or the other way round)', () => {
    for (const extFields of [{ AccessKey: 'ops' }, { Signature: 'abc' }] as Record<string, string>[]) {
      expect(refused(decide(POLICY, { code: 105, extFields, body: null, remoteAddress: OUTSIDE })).reason).toBe('incomplete-signature');
    }
  });

  it('anonymous: [] makes even reads need a signature; an unknown code is admin', () => {
    const closed = parseAccessPolicy('anonymous: []\naccounts: [{ accessKey: r, secretKey: s, roles: [client] }]');
    expect(refused(decide(closed, { code: 105, extFields: { topic: 't' }, body: null, remoteAddress: '127.0.0.1' })).className).toBe('client');
    const signed = signExtFields({ accessKey: 'r', secretKey: 's' }, { topic: 't' }, null);
    expect(decide(closed, { code: 105, extFields: signed, body: null, remoteAddress: OUTSIDE }).status).toBe('allowed');
    expect(refused(decide(closed, { code: 4242, extFields: signed, body: null, remoteAddress: OUTSIDE })).reason).toBe('role-missing');
  });
});

describe('AccessControl', () => {
  let dir = '';
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  async function fileWith(text: string): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'namesrv-access-'));
    const path = join(dir, 'access.yml');
    await writeFile(path, text);
    return path;
  }

  it('fails to load an unreadable or invalid file', async () => {
    await expect(AccessControl.load(join(tmpdir(), 'no-such-dir-namesrv', 'access.yml'))).rejects.toBeInstanceOf(AccessPolicyError);
    const path = await fileWith('anonymous: [everyone]');
    await expect(AccessControl.load(path)).rejects.toMatchObject({ code: 'ERR_ACCESS_POLICY', field: 'anonymous[0]' });
  });

  it('reload() swaps the policy atomically; a bad file keeps the old one and reports why', async () => {
    const path = await fileWith('anonymous: [client]');
    const control = await AccessControl.load(path);
    const events: string[] = [];
    control.on('reload', () => events.push('reload'));
    control.on('reloadError', (err) => events.push(`error ${err.field}`));
    const admin = { code: 205, extFields: {}, body: null, remoteAddress: OUTSIDE };
    expect(control.decide(admin).status).toBe('refused');

    await writeFile(path, 'anonymous: [client, admin]');
    await expect(control.reload()).resolves.toBe(true);
    expect(control.decide(admin).status).toBe('allowed');

    const before: AccessPolicy = control.policy;
    await writeFile(path, 'anonymous: [client, admin]\nwhiteRemoteAddresses: { broker: ["10.0.0.300"] }');
    await expect(control.reload()).resolves.toBe(false);
    expect(control.policy).toBe(before);
    expect(control.decide(admin).status).toBe('allowed');
    expect(events).toEqual(['reload', 'error whiteRemoteAddresses.broker[0]']);
    control.close();
  });

  it('reloads on change when watching, including a file replaced by rename', async () => {
    const path = await fileWith('anonymous: [client]');
    const control = await AccessControl.load(path, { watch: true, watchDebounceMillis: 10 });
    try {
      const reloaded = new Promise<AccessPolicy>((resolve) => control.once('reload', resolve));
      await writeFile(`${path}.tmp`, 'anonymous: [broker]');
      await rename(`${path}.tmp`, path);
      const policy = await withTimeout(reloaded, 5_000);
      expect([...policy.anonymous]).toEqual(['broker']);
    } finally {
      control.close();
    }
  });
});

describe('RemotingClient credentials', () => {
  it('signs each request like AclClientRPCHook, body included', async () => {
    const seen: RemotingCommand[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      const decoder = new FrameDecoder(1 << 20, (buf, start, end) => {
        const req = decodeFrameAt(buf, start, end);
        seen.push(req);
        socket.write(encodeFrame({ code: 0, language: 0, version: 0, opaque: req.opaque, flag: 1, remark: null, extFields: {} }));
      });
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = await RemotingClient.connect(port, '127.0.0.1', {
      credentials: { accessKey: 'ops', secretKey: 's3cret-ops', securityToken: 'tok' },
    });
    try {
      await client.invoke(103, { brokerName: 'broker-a', brokerId: 0 }, BODY);
      await client.invoke(105, { topic: 'T' });
      expect(seen).toHaveLength(2);
      const [reg, route] = seen as [RemotingCommand, RemotingCommand];
      expect(reg.extFields).toMatchObject({ AccessKey: 'ops', SecurityToken: 'tok', brokerName: 'broker-a', brokerId: '0' });
      expect(verifySignature('s3cret-ops', reg.extFields, reg.body)).toBe(true);
      expect(decide(POLICY, { code: 103, extFields: reg.extFields, body: reg.body, remoteAddress: OUTSIDE }).status).toBe('allowed');
      expect(verifySignature('s3cret-ops', route.extFields, route.body)).toBe(true);
      expect(() => new RemotingClient({ credentials: { accessKey: '', secretKey: 'x' } })).toThrow(/credentials/);
    } finally {
      await client.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
