/**
 * Hostile bytes against the remoting codecs: the frame splitter, the frame
 * decoder, both header serializations and the REGISTER_BROKER body. Whatever
 * arrives, the result is a decoded value or a typed error (never another
 * exception, a hang or unbounded buffering), and what we encode decodes back.
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError, NamesrvError, RouteRegistry, type TopicConfig } from '../src/index.js';
import {
  BodyDecodeError, FrameDecodeError, FrameTooLargeError, LanguageCode, SerializeType, type RemotingCommand, type RemotingHeader,
} from '../src/remoting/index.js';
import {
  FrameDecoder, decodeBinaryHeader, decodeFrame, decodeJsonHeader, decodeRegisterBrokerBody, encodeBinaryHeader, encodeFrame, encodeJsonHeader, encodeRegisterBrokerBody,
} from '../src/remoting/codec/index.js';
import { int32, lengthPrefixed } from './helpers/loopback.js';

/** Runs `fn`; a thrown error must be one of `types`. Returns the value, or the error. */
function typed<T>(fn: () => T, ...types: Array<abstract new (...args: never[]) => Error>): T | Error {
  try {
    return fn();
  } catch (err) {
    if (!types.some((t) => err instanceof t)) throw new Error(`untyped error escaped: ${String(err)}`, { cause: err });
    return err as Error;
  }
}

/** An own-property record, so keys like `__proto__` are entries and not prototypes. */
function record<V>(entries: ReadonlyArray<readonly [string, V]>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'topic', 'brokerName', ''),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

/** A frame splitter that hands each frame out as one Buffer, whichever callback form the decoder uses. */
function splitter(maxFrameBytes: number, onFrame: (frame: Buffer) => void): FrameDecoder {
  const adapter = (buf: Buffer, start?: number, end?: number): void => {
    onFrame(start === undefined ? buf : buf.subarray(start, end));
  };
  return new FrameDecoder(maxFrameBytes, adapter as never);
}

/** Feeds `stream` cut at `cuts`; returns the frames delivered and the error that stopped it, if any. */
function feed(stream: Buffer, cuts: readonly number[], maxFrameBytes: number): { frames: string[]; error: Error | null } {
  const frames: string[] = [];
  const decoder = splitter(maxFrameBytes, (frame) => {
    // A frame the splitter hands out is decoded as the server does; its errors are typed too.
    const cmd = typed(() => decodeFrame(Buffer.from(frame)), FrameDecodeError);
    if (cmd instanceof Error) throw cmd;
    frames.push(JSON.stringify(cmd));
  });
  const points = [...new Set(cuts.filter((c) => c > 0 && c < stream.length))].sort((a, b) => a - b);
  let last = 0;
  for (const p of [...points, stream.length]) {
    const r = typed(() => decoder.push(stream.subarray(last, p)), FrameDecodeError, FrameTooLargeError);
    // Incomplete input stays bounded by the frame limit.
    expect(decoder.bufferedBytes).toBeLessThan(maxFrameBytes);
    if (r instanceof Error) {
      // A failed decoder refuses everything after, with a typed error.
      expect(() => decoder.push(Buffer.alloc(8, 1))).toThrow(FrameDecodeError);
      return { frames, error: r };
    }
    last = p;
  }
  return { frames, error: null };
}

const arbHeader: fc.Arbitrary<RemotingHeader> = fc.record({
  code: fc.integer({ min: -32768, max: 32767 }),
  language: fc.integer({ min: 0, max: 255 }),
  version: fc.integer({ min: -32768, max: 32767 }),
  opaque: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  flag: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  remark: fc.option(fc.string({ minLength: 1, unit: 'binary' }), { nil: null }),
  extFields: fc.array(fc.tuple(fc.oneof(hostileKey.filter((k) => k !== ''), fc.string({ minLength: 1 })), fc.string({ minLength: 1, unit: 'binary' })), { maxLength: 6 })
    .map((entries) => record(entries)),
});

const arbFrame = fc.record({
  header: arbHeader,
  body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: null }),
  serializeType: fc.constantFrom(SerializeType.JSON, SerializeType.ROCKETMQ),
});

describe('frames', () => {
  it('any bytes decode to a command or a FrameDecodeError', () => {
    const mark = (type: number, headerLength: number): Buffer => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(((type << 24) | headerLength) >>> 0);
      return b;
    };
    const structured = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 16 }))
      .map(([type, header, body]) => Buffer.concat([mark(type, header.length), header, body]));
    const jsonish = fc.tuple(fc.json({ maxDepth: 3 }), fc.uint8Array({ maxLength: 8 }))
      .map(([text, body]) => {
        const header = Buffer.from(text);
        return Buffer.concat([mark(SerializeType.JSON, header.length), header, body]);
      });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 96 }).map((a) => Buffer.from(a)), structured, jsonish), (bytes) => {
      const r = typed(() => decodeFrame(bytes), FrameDecodeError);
      if (r instanceof Error) return;
      expect([SerializeType.JSON, SerializeType.ROCKETMQ]).toContain(r.serializeType);
      expect(r.body === null || r.body.length <= bytes.length).toBe(true);
    }), { numRuns: 3_000 });
  });

  it('round-trips any header and body in both serializations', () => {
    fc.assert(fc.property(arbFrame, ({ header, body, serializeType }) => {
      const frame = encodeFrame(header, body, serializeType);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const cmd: RemotingCommand = decodeFrame(frame.subarray(4));
      expect({ ...cmd, body: cmd.body === null ? null : Buffer.from(cmd.body) })
        .toEqual({ ...header, body: body === null ? null : Buffer.from(body), serializeType });
    }), { numRuns: 1_000 });
  });
});

describe('FrameDecoder', () => {
  it('splits any stream of valid frames the same way however reads cut it', () => {
    fc.assert(fc.property(fc.array(arbFrame, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(4_000), { maxLength: 20 }), (specs, cuts) => {
      const frames = specs.map(({ header, body, serializeType }) => encodeFrame(header, body, serializeType));
      const stream = Buffer.concat(frames);
      const whole = feed(stream, [], 1 << 20);
      expect(whole.error).toBeNull();
      expect(whole.frames).toHaveLength(specs.length);
      expect(feed(stream, cuts, 1 << 20)).toEqual(whole);
    }), { numRuns: 500 });
  });

  it('any byte stream, cut anywhere: the same frames, then the same typed error, and bounded buffering', () => {
    const stream = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      // Valid frames followed by garbage, so the splitter gets past the first frame.
      fc.tuple(fc.array(arbFrame, { maxLength: 3 }), fc.uint8Array({ maxLength: 64 }))
        .map(([specs, junk]) => Buffer.concat([...specs.map((s) => encodeFrame(s.header, s.body, s.serializeType)), junk])),
    );
    fc.assert(fc.property(stream, fc.array(fc.nat(400), { maxLength: 12 }), fc.integer({ min: 64, max: 2_048 }), (bytes, cuts, max) => {
      const whole = feed(bytes, [], max);
      const cut = feed(bytes, cuts, max);
      expect(cut.frames).toEqual(whole.frames);
      expect(cut.error?.constructor).toBe(whole.error?.constructor);
    }), { numRuns: 2_000 });
  });

  it('refuses an oversized or nonsensical length at once, before buffering the frame', () => {
    fc.assert(fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.integer({ min: 1_024, max: 1 << 20 }), (length, max) => {
      const decoder = splitter(max, () => undefined);
      const head = Buffer.alloc(4);
      head.writeInt32BE(length);
      const r = typed(() => decoder.push(head), FrameDecodeError, FrameTooLargeError);
      if (length < 4 || length + 4 > max) expect(r).toBeInstanceOf(Error);
      else expect(r).toBeUndefined();
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(4);
    }), { numRuns: 1_000 });
  });

  it('a peer trickling a frame byte by byte is buffered once, in linear time', () => {
    const frame = encodeFrame({ code: 105, language: 0, version: 479, opaque: 1, flag: 0, remark: null, extFields: {} },
      Buffer.alloc(256 * 1024, 7));
    let got = 0;
    const decoder = splitter(1 << 20, () => got++);
    const started = performance.now();
    for (let i = 0; i < frame.length; i++) decoder.push(frame.subarray(i, i + 1));
    expect(got).toBe(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('JSON header', () => {
  it('any bytes decode to a header or a FrameDecodeError', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 128 }).map((a) => Buffer.from(a)),
      fc.json({ maxDepth: 3 }).map((t) => Buffer.from(t)),
      fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify({ code: v, extFields: v, language: v, remark: v }))),
    );
    fc.assert(fc.property(bytes, (b) => {
      const r = typed(() => decodeJsonHeader(b), FrameDecodeError);
      if (r instanceof Error) return;
      for (const v of Object.values(r.extFields)) expect(typeof v).toBe('string');
      expect(Number.isInteger(r.code) && r.code >= -0x80000000 && r.code <= 0x7fffffff).toBe(true);
    }), { numRuns: 3_000 });
  });

  /**
   * The decoder has a hand-written fast path for the usual header shapes and
   * falls back to JSON.parse for anything else. A field it does not know
   * forces the fallback, so the same header with one more unknown field must
   * decode to the same thing: the fast path must agree with JSON.parse.
   */
  it('its fast path agrees with JSON.parse on any header-like text', () => {
    const ws = fc.constantFrom('', '', ' ', '\n\t');
    const str = fc.oneof(
      fc.constantFrom('JAVA', 'GO', 'CPP', 'topic', '__proto__', '', 'é', '\\u0041', '\\"', '\\\\', 'a\\nb', 'x'),
      fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s).slice(1, -1)),
    ).map((s) => `"${s}"`);
    const num = fc.oneof(
      fc.integer({ min: -0x80000000, max: 0xffffffff }).map(String),
      fc.constantFrom('-0', '01', '1.0', '1e3', '4294967296', '-2147483649', '00', '-', '1.5', '12345678901'),
    );
    const ext = fc.array(fc.tuple(ws, str, ws, fc.oneof(str, str, num, fc.constantFrom('null', 'true', '{}', '[]'))), { maxLength: 3 })
      .map((pairs) => `{${pairs.map(([w, k, w2, v]) => `${w}${k}${w2}:${v}`).join(',')}}`);
    const name = fc.constantFrom('code', 'language', 'version', 'opaque', 'flag', 'remark', 'extFields', 'serializeTypeCurrentRPC');
    const pair = fc.oneof(
      fc.tuple(name, fc.oneof(num, str, ext, fc.constantFrom('null', 'true', '[]'))),
      fc.tuple(fc.constant('extFields'), ext),
      fc.tuple(fc.constantFrom('code', 'version', 'opaque', 'flag', 'language'), num),
      fc.tuple(fc.constantFrom('language', 'remark', 'serializeTypeCurrentRPC'), str),
    );
    const member = fc.tuple(ws, pair, ws, ws, ws).map(([a, [n, v], b, c, d]) => `${a}"${n}"${b}:${c}${v}${d}`);
    fc.assert(fc.property(fc.array(member, { maxLength: 6 }), ws, (members, outer) => {
      const text = `${outer}{${members.join(',')}}${outer}`;
      const slow = `{"zz_unknown":0${members.length > 0 ? ',' : ''}${members.join(',')}}`;
      const a = typed(() => decodeJsonHeader(Buffer.from(text)), FrameDecodeError);
      const b = typed(() => decodeJsonHeader(Buffer.from(slow)), FrameDecodeError);
      if (b instanceof Error) {
        expect(a, `fast path accepted what JSON.parse refuses: ${text}`).toBeInstanceOf(Error);
      } else {
        expect(a, text).not.toBeInstanceOf(Error);
        expect(JSON.stringify(a), text).toBe(JSON.stringify(b));
      }
    }), { numRuns: 3_000 });
  });

  it('the fast path agrees with JSON.parse on the cases the fuzzer found', () => {
    const both = (members: string): [string, string] => {
      const fast = decodeJsonHeader(Buffer.from(`{${members}}`));
      const slow = decodeJsonHeader(Buffer.from(`{"zz_unknown":0,${members}}`));
      return [JSON.stringify(fast), JSON.stringify(slow)];
    };
    // A repeated field: the last one wins (JSON.parse, fastjson), rather than extFields being merged.
    const [fastDup, slowDup] = both('"extFields":{"a":"1"},"extFields":{"b":"2"}');
    expect(fastDup).toBe(slowDup);
    // A language code beyond int32 is read the same either way.
    const [fastLang, slowLang] = both('"language":2147483648');
    expect(fastLang).toBe(slowLang);
  });

  it('round-trips any header, hostile extFields keys included', () => {
    fc.assert(fc.property(arbHeader, fc.string({ unit: 'binary' }), (h, remark) => {
      const header = { ...h, remark: remark === '' ? h.remark : remark, code: h.code * 65536 + 7, version: h.version * 3 };
      expect(decodeJsonHeader(encodeJsonHeader(header))).toEqual(header);
    }), { numRuns: 1_000 });
  });

  it('deeply nested values in a header are a FrameDecodeError, not a stack overflow', () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    for (const text of [`{"code":1,"remark":${deep}}`, `{"code":1,"extFields":{"a":"1","b":${deep}}}`, `{"code":1,"language":${deep}}`]) {
      const r = typed(() => decodeJsonHeader(Buffer.from(text)), FrameDecodeError);
      // Either refused cleanly or read; a RangeError escaping is what must not happen.
      if (!(r instanceof Error)) expect(typeof r.code).toBe('number');
    }
  });

  it('__proto__ in extFields stays an ordinary field, never a prototype', () => {
    for (const text of [
      '{"code":105,"extFields":{"__proto__":"x","topic":"T"}}',
      '{"code":105,"extFields":{"__proto__":{"polluted":"yes"},"topic":1}}',
      '{"code":105, "extFields": {"__proto__": "x", "constructor": "y"}, "remark": "\\u0041"}',
    ]) {
      const h = decodeJsonHeader(Buffer.from(text));
      expect(Object.hasOwn(h.extFields, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(h.extFields)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
  });
});

describe('binary (ROCKETMQ) header', () => {
  it('any bytes decode to a header or a FrameDecodeError, holding no more than the input', () => {
    const lengths = fc.tuple(
      fc.uint8Array({ minLength: 13, maxLength: 13 }),
      fc.integer({ min: -2, max: 40 }), fc.uint8Array({ maxLength: 40 }),
      fc.integer({ min: -2, max: 60 }), fc.array(fc.tuple(fc.integer({ min: -2, max: 12 }), fc.uint8Array({ maxLength: 12 }),
        fc.integer({ min: -2, max: 12 }), fc.uint8Array({ maxLength: 12 })), { maxLength: 4 }),
    ).map(([fixed, remarkLength, remark, extLength, entries]) => {
      const parts: Buffer[] = [Buffer.from(fixed), int32(remarkLength), Buffer.from(remark), int32(extLength)];
      for (const [kl, k, vl, v] of entries) {
        const s = Buffer.alloc(2);
        s.writeInt16BE(kl);
        parts.push(s, Buffer.from(k), int32(vl), Buffer.from(v));
      }
      return Buffer.concat(parts);
    });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 96 }).map((a) => Buffer.from(a)), lengths), (bytes) => {
      const r = typed(() => decodeBinaryHeader(bytes), FrameDecodeError);
      if (r instanceof Error) return;
      let chars = r.remark?.length ?? 0;
      for (const [k, v] of Object.entries(r.extFields)) chars += k.length + v.length;
      expect(chars).toBeLessThanOrEqual(bytes.length);
    }), { numRuns: 3_000 });
  });

  it('round-trips any header whose remark and values are not empty', () => {
    fc.assert(fc.property(arbHeader, (h) => {
      expect(decodeBinaryHeader(encodeBinaryHeader(h))).toEqual(h);
    }), { numRuns: 1_000 });
  });
});

describe('REGISTER_BROKER body', () => {
  const versions = fc.constantFrom(30, 400, 412, 413, 479);

  /** What the server does with a body: decode it, then register with it. Both may refuse, with typed errors. */
  async function decodeAndRegister(body: Buffer | null, compressed: boolean, version: number, maxInflatedBytes = 1 << 16): Promise<void> {
    let decoded;
    try {
      decoded = await decodeRegisterBrokerBody(body, { compressed, version, maxInflatedBytes });
    } catch (err) {
      if (!(err instanceof BodyDecodeError)) throw new Error(`untyped error escaped: ${String(err)}`, { cause: err });
      return;
    }
    const registry = new RouteRegistry();
    typed(() => registry.registerBroker({
      clusterName: 'c', brokerName: 'b', brokerAddr: 'a', brokerId: 0,
      topicConfigWrapper: decoded.topicConfigSerializeWrapper, filterServerList: decoded.filterServerList,
    } as never), InvalidRequestError);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  }

  it('any bytes, plain or compressed, decode or fail with BodyDecodeError; the registry then accepts or refuses cleanly', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify({
        topicConfigSerializeWrapper: { topicConfigTable: v, dataVersion: v }, filterServerList: v,
      }))),
      // fastjson's unquoted numeric keys, half-quoted and broken.
      fc.constantFrom('{0:"a"}', '{a:1,b:{c:2}}', '{"x":{1:2', '{,:}', '{{{{', '"\\').map((t) => Buffer.from(t)),
    );
    await fc.assert(fc.asyncProperty(body, fc.boolean(), versions, (b, compressed, version) => decodeAndRegister(b, compressed, version)),
      { numRuns: 1_500 });
  });

  it('any inflated content (a valid zlib stream) decodes or fails with BodyDecodeError', async () => {
    const configLine = fc.oneof(
      fc.constantFrom('T 1 1 6 SINGLE_TAG {}', 'T 1 1 6 MULTI_TAG {"a":"b"}', '__proto__ 1 1 6 SINGLE_TAG {"__proto__":"x"}',
        'T x 1 6 SINGLE_TAG', 'T 1 1 6 BAD {}', 'T 1 1', '', ' ', 'T 99999999999 1 6 SINGLE_TAG', 'T -1 -1 9 SINGLE_TAG [1]'),
      fc.tuple(fc.string({ maxLength: 8 }), fc.integer(), fc.integer(), fc.integer({ min: -1, max: 9 }), fc.string({ maxLength: 6 }))
        .map(([n, r, w, p, a]) => `${n} ${r} ${w} ${p} SINGLE_TAG ${a}`),
    );
    const segment = fc.oneof(
      fc.integer({ min: -3, max: 5 }).map(int32),
      fc.integer().map(int32),
      configLine.map(lengthPrefixed),
      fc.constantFrom('{"counter":1,"timestamp":2}', '{"counter":"x"}', 'null', '[]', '{', '["f:1"]', '5')
        .map(lengthPrefixed),
      fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
    );
    await fc.assert(fc.asyncProperty(fc.array(segment, { maxLength: 10 }), versions, (segments, version) =>
      decodeAndRegister(deflateSync(Buffer.concat(segments)), true, version)), { numRuns: 1_500 });
  });

  it('a zip bomb stops at maxInflatedBytes with BodyDecodeError', async () => {
    const bomb = deflateSync(Buffer.alloc(32 << 20), { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const started = performance.now();
    await expect(decodeRegisterBrokerBody(bomb, { compressed: true, version: 479, maxInflatedBytes: 1 << 20 }))
      .rejects.toBeInstanceOf(BodyDecodeError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('round-trips the plain JSON form, hostile topic names included', async () => {
    const config = fc.record({
      readQueueNums: fc.nat(64), writeQueueNums: fc.nat(64), perm: fc.integer({ min: 0, max: 7 }), topicSysFlag: fc.nat(3), order: fc.boolean(),
    });
    const table = fc.uniqueArray(fc.tuple(hostileKey, config), { maxLength: 6, selector: ([k]) => k })
      .map((entries) => record(entries.map(([name, c]): [string, TopicConfig] => [name, { topicName: name, ...c }])));
    const wrapper = fc.record({
      table,
      dataVersion: fc.record({ stateVersion: fc.nat(), timestamp: fc.nat(), counter: fc.nat() }),
      filterServerList: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
    });
    await fc.assert(fc.asyncProperty(wrapper, async ({ table: t, dataVersion, filterServerList }) => {
      const body = { topicConfigSerializeWrapper: { topicConfigTable: t, dataVersion }, filterServerList };
      const decoded = await decodeRegisterBrokerBody(encodeRegisterBrokerBody(body), { compressed: false, version: 479, maxInflatedBytes: 1 });
      expect(decoded).toEqual({
        ...body, topicConfigSerializeWrapper: { ...body.topicConfigSerializeWrapper, topicQueueMappingInfoMap: new Map() },
      });
      expect(Object.getPrototypeOf(decoded.topicConfigSerializeWrapper.topicConfigTable)).toBe(Object.prototype);
    }), { numRuns: 500 });
  });

  it('round-trips the compressed form for any valid topic names and attributes', async () => {
    const validName = fc.stringMatching(/^[%|a-zA-Z0-9_-]{1,127}$/);
    const attr = fc.stringMatching(/^[a-z0-9+=.-]{1,8}$/);
    const config = fc.record({
      readQueueNums: fc.nat(1_024), writeQueueNums: fc.nat(1_024), perm: fc.integer({ min: 0, max: 7 }),
      topicFilterType: fc.constantFrom('SINGLE_TAG', 'MULTI_TAG'),
      attributes: fc.dictionary(attr, attr, { maxKeys: 3 }),
    });
    const table = fc.uniqueArray(fc.tuple(fc.oneof(validName, fc.constantFrom('__proto__', 'constructor')), config), { maxLength: 8, selector: ([k]) => k });
    await fc.assert(fc.asyncProperty(table, fc.nat(), (entries, counter) => {
      const t = record(entries.map(([name, c]): [string, TopicConfig] => [name, { topicName: name, ...c }]));
      const dataVersion = { stateVersion: 0, timestamp: 1_000, counter };
      const body = { topicConfigSerializeWrapper: { topicConfigTable: t, dataVersion }, filterServerList: ['10.0.0.9:1'] };
      return decodeRegisterBrokerBody(encodeRegisterBrokerBody(body, true), { compressed: true, version: 479, maxInflatedBytes: 1 << 20 })
        .then((decoded) => {
          // The compressed form carries neither topicSysFlag nor order, as in RocketMQ.
          const expected = record(entries.map(([name, c]): [string, TopicConfig] => [name, { topicName: name, ...c, topicSysFlag: 0, order: false }]));
          expect(decoded).toEqual({
            topicConfigSerializeWrapper: { topicConfigTable: expected, dataVersion, topicQueueMappingInfoMap: new Map() },
            filterServerList: ['10.0.0.9:1'],
          });
        });
    }), { numRuns: 300 });
  });
});

describe('names that are Object.prototype members', () => {
  it('a language name like toString is just an unknown language', () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      const h = decodeJsonHeader(Buffer.from(`{"code":1,"language":"${name}"}`));
      expect(h.language).toBe(LanguageCode.OTHER);
    }
  });

  it('every decoded error is a NamesrvError with a stable code', () => {
    const errors = [
      typed(() => decodeFrame(Buffer.alloc(2)), FrameDecodeError),
      typed(() => decodeJsonHeader(Buffer.from('[')), FrameDecodeError),
      typed(() => decodeBinaryHeader(Buffer.alloc(3)), FrameDecodeError),
    ];
    for (const err of errors) {
      expect(err).toBeInstanceOf(NamesrvError);
      expect((err as NamesrvError).code).toBe('ERR_FRAME_DECODE');
    }
  });
});
