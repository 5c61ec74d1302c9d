/**
 * RocketMQ ACL 1.0 signatures against vectors computed by RocketMQ's own code.
 *
 * How the vectors were obtained: the classes `AclClientRPCHook`, `AclUtils`,
 * `AclSigner`, `SessionCredentials`, `SigningAlgorithm`, `AclException` and
 * `AclConstants` of package `org.apache.rocketmq.acl.common` (module `client`,
 * tag rocketmq-all-5.3.3), unmodified, were compiled with javac 17 against
 * Debian's commons-codec 1.15 (the `Base64` they use) and commons-lang3 3.12,
 * with minimal stubs for what the signing path does not execute (logger,
 * fastjson2 `JSONObject`, snakeyaml `Yaml`, `MixAll`) and a stub
 * `RemotingCommand` holding only `extFields` (a HashMap, `addExtField` as in
 * 5.3.3), `body`, and a no-op `makeCustomHeaderToNet` (no custom header).
 * For each case: a `RemotingCommand` with the extFields and body below,
 * `new AclClientRPCHook(new SessionCredentials(accessKey, secretKey[, securityToken]))
 *   .doBeforeRequest("127.0.0.1:9876", request)`, and the resulting extFields
 * printed. The Java code is not part of this repository.
 */
import { describe, expect, it } from 'vitest';
import {
  ACL_ACCESS_KEY, ACL_SECURITY_TOKEN, ACL_SIGNATURE, computeSignature, signExtFields, verifySignature, type AclCredentials,
} from '../src/remoting/access/index.js';

interface Vector {
  name: string;
  credentials: AclCredentials;
  extFields: Record<string, string>;
  body: Buffer | null;
  /** `Signature` as Java's AclClientRPCHook set it. */
  signature: string;
}

const VECTORS: readonly Vector[] = [
  {
    name: 'a route request without a body',
    credentials: { accessKey: 'rocketmq2', secretKey: '12345678' },
    extFields: { topic: 'TopicTest' },
    body: null,
    signature: 'GeeGoP9mRvDhoVp4PD5omX0prgE=',
  },
  {
    name: 'non-ASCII values (Cyrillic, CJK, a symbol and an astral emoji)',
    credentials: { accessKey: 'ops', secretKey: 's3cret-ops' },
    extFields: { namespace: '名前空間', key: 'ключ', value: 'välue ✓ 😀' },
    body: null,
    signature: 'elLDwQalAtivOD15MDCEFvacp7M=',
  },
  {
    name: 'a JSON body and a non-ASCII SecurityToken',
    credentials: { accessKey: 'ops', secretKey: 's3cret-ops', securityToken: 'tok-Ω' },
    extFields: {
      brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', clusterName: 'DefaultCluster', brokerId: '0',
      compressed: 'false', bodyCrc32: '0',
    },
    body: Buffer.from('{"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"timestamp":0}},"filterServerList":[]}', 'utf8'),
    signature: 'Ubk49PhOCFnWfzz+Q/Pqgo/al6w=',
  },
  {
    name: 'a binary body, a non-ASCII secret, and upper case keys sorting before lower case ones',
    credentials: { accessKey: 'AK', secretKey: 'SK-é' },
    extFields: { Zeta: 'z', alpha: 'a', Beta: 'b', _x: 'u' },
    body: Buffer.from([0, 1, 2, 0xff, 0x80, 0x7f]),
    signature: '0dUB05D2mmRlUUmtqwgaDE2Ewb0=',
  },
  {
    name: 'keys ordered by UTF-16 code units (U+1F600 as D83D DE00 sorts before U+FB01)',
    credentials: { accessKey: 'AK', secretKey: 'SK' },
    extFields: { '\uFB01': 'fi-ligature', '\u{1F600}': 'emoji-key' },
    body: null,
    signature: 'jDPZ2FSVuX7v1OMhWl3C1VEgBiQ=',
  },
  {
    name: 'an unpaired surrogate (Java encodes it as "?")',
    credentials: { accessKey: 'AK', secretKey: 'SK' },
    extFields: { v: 'a\uD800b' },
    body: null,
    signature: 'WnIFa5Wex2ePREEDFbdXMQHsQik=',
  },
  {
    name: 'a compressed body, signed as sent (compressed)',
    credentials: { accessKey: 'broker-a', secretKey: 'bk-Secret' },
    extFields: { compressed: 'true', bodyCrc32: '123' },
    body: Buffer.from('eJyrVirJL8hMVrJSKokpNTBItVSqBQBAMgYd', 'base64'),
    signature: 'Qjm57a/RaBnkzdz13wwz/LXiNgk=',
  },
];

describe('RocketMQ ACL 1.0 signatures (vectors from Java AclClientRPCHook, 5.3.3)', () => {
  for (const v of VECTORS) {
    it(`signs like Java: ${v.name}`, () => {
      const signed = signExtFields(v.credentials, v.extFields, v.body);
      expect(signed[ACL_SIGNATURE]).toBe(v.signature);
      expect(signed[ACL_ACCESS_KEY]).toBe(v.credentials.accessKey);
      expect(signed[ACL_SECURITY_TOKEN]).toBe(v.credentials.securityToken);
      expect(verifySignature(v.credentials.secretKey, signed, v.body)).toBe(true);
    });
  }

  it('signs AccessKey and SecurityToken themselves (they are added before signing)', () => {
    const v = VECTORS[2]!;
    const signed = signExtFields(v.credentials, v.extFields, v.body);
    expect(verifySignature(v.credentials.secretKey, { ...signed, [ACL_ACCESS_KEY]: 'other' }, v.body)).toBe(false);
    expect(verifySignature(v.credentials.secretKey, { ...signed, [ACL_SECURITY_TOKEN]: 'tok-X' }, v.body)).toBe(false);
    const withoutToken: Record<string, string> = { ...signed };
    delete withoutToken[ACL_SECURITY_TOKEN];
    expect(verifySignature(v.credentials.secretKey, withoutToken, v.body)).toBe(false);
  });

  it('rejects a wrong secret, a tampered field, a tampered body and a re-encoded signature', () => {
    const v = VECTORS[3]!;
    const signed = signExtFields(v.credentials, v.extFields, v.body);
    expect(verifySignature('SK-e', signed, v.body)).toBe(false);
    expect(verifySignature(v.credentials.secretKey, { ...signed, alpha: 'A' }, v.body)).toBe(false);
    const body = Buffer.from(v.body!);
    body[3] = 0xfe;
    expect(verifySignature(v.credentials.secretKey, signed, body)).toBe(false);
    expect(verifySignature(v.credentials.secretKey, signed, null)).toBe(false);
    // Base64 decoders skip junk; the comparison is over the text, as Java's String.equals.
    expect(verifySignature(v.credentials.secretKey, { ...signed, [ACL_SIGNATURE]: `${v.signature}!` }, v.body)).toBe(false);
    expect(verifySignature(v.credentials.secretKey, { ...signed, [ACL_SIGNATURE]: '' }, v.body)).toBe(false);
  });

  it('moving a value between keys changes the signature (values are concatenated in key order)', () => {
    const a = computeSignature('k', { a: 'xy', b: '' }, null);
    const b = computeSignature('k', { a: 'x', b: 'y' }, null);
    // Java signs only the concatenation, so these collide there too: documented, not a bug of ours.
    expect(a).toBe(b);
    expect(computeSignature('k', { a: 'y', b: 'x' }, null)).not.toBe(b);
  });

  it('an empty body signs like no body (Java appends nothing for either)', () => {
    expect(computeSignature('k', { a: '1' }, Buffer.alloc(0))).toBe(computeSignature('k', { a: '1' }, null));
  });

  it('keeps a field named __proto__ an ordinary signed field and leaves the input unmodified', () => {
    const ext: Record<string, string> = {};
    Object.defineProperty(ext, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true });
    const signed = signExtFields({ accessKey: 'a', secretKey: 's' }, ext, null);
    expect(Object.keys(signed).sort()).toEqual(['AccessKey', 'Signature', '__proto__']);
    expect(Object.keys(ext)).toEqual(['__proto__']);
    expect(verifySignature('s', { ...signed }, null)).toBe(true);
  });
});
