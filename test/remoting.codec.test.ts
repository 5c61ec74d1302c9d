import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deflateSync } from 'node:zlib';
import { FrameDecodeError, FrameTooLargeError, LanguageCode, SerializeType, type RemotingHeader } from '../src/remoting/index.js';
import {
  FrameDecoder, bodyCrc32, crc32, decodeBinaryHeader, decodeFrame, decodeJsonHeader, decodeRegisterBrokerBody, encodeBinaryHeader, encodeFrame, encodeJsonHeader, encodeRegisterBrokerBody, parseFastjson,
} from '../src/remoting/codec/index.js';
import { encodeTopicRouteData } from '../src/remoting/codec/fastjson.js';
import { decodeFrameAt } from '../src/remoting/codec/frame.js';
import { tableCrc32ForTest } from '../src/remoting/codec/crc32.js';
import { quoteBareKeys } from '../src/remoting/codec/fastjson.js';
import { decodeJsonCommandAt } from '../src/remoting/codec/header-json.js';
import { JsonHeaderShape } from '../src/remoting/codec/header-scan.js';
import type { TopicRouteData } from '../src/core/types.js';

const header = (over: Partial<RemotingHeader> = {}): RemotingHeader => ({
  code: 105, language: LanguageCode.JAVA, version: 479, opaque: 42, flag: 0, remark: null,
  extFields: { topic: 'TopicTest' }, ...over,
});

const arbHeader = fc.record({
  code: fc.integer({ min: -32768, max: 32767 }),
  language: fc.integer({ min: 0, max: 13 }),
  version: fc.integer({ min: -32768, max: 32767 }),
  opaque: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  flag: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  remark: fc.option(fc.string({ minLength: 1, unit: 'binary' }), { nil: null }),
  extFields: fc.dictionary(fc.string({ minLength: 1, unit: 'binary' }), fc.string({ minLength: 1, unit: 'binary' })),
});

describe('JSON header', () => {
  it('writes fastjson field order and language name', () => {
    const text = encodeJsonHeader(header({ flag: 1, remark: 'r' })).toString();
    expect(text).toBe('{"code":105,"extFields":{"topic":"TopicTest"},"flag":1,"language":"JAVA","opaque":42,'
      + '"remark":"r","serializeTypeCurrentRPC":"JSON","version":479}');
  });

  it('round-trips any header', () => {
    fc.assert(fc.property(arbHeader, (h) => {
      expect(decodeJsonHeader(encodeJsonHeader(h))).toEqual(h);
    }));
  });

  it('reads what ali-ons sends: language name, numeric ext values, missing fields', () => {
    const h = decodeJsonHeader(Buffer.from('{"code":105,"language":"JAVA","opaque":7,"flag":0,"version":121,'
      + '"extFields":{"topic":"T","queueId":3,"unitMode":false,"skip":null}}'));
    expect(h).toEqual({ code: 105, language: 0, version: 121, opaque: 7, flag: 0, remark: null,
      extFields: { topic: 'T', queueId: '3', unitMode: 'false' } });
    expect(decodeJsonHeader(Buffer.from('{"code":1,"language":"NODE_JS"}')).language).toBe(13);
    expect(decodeJsonHeader(Buffer.from('{"code":1}'))).toMatchObject({ opaque: 0, flag: 0, version: 0, extFields: {} });
  });

  it('keeps __proto__ as an ordinary ext field', () => {
    const h = decodeJsonHeader(Buffer.from('{"code":1,"extFields":{"__proto__":"x","a":1}}'));
    expect(Object.getPrototypeOf(h.extFields)).toBe(Object.prototype);
    expect(Object.hasOwn(h.extFields, '__proto__')).toBe(true);
    expect(h.extFields['__proto__']).toBe('x');
  });

  it('refuses non-JSON and non-objects', () => {
    expect(() => decodeJsonHeader(Buffer.from('{nope'))).toThrow(FrameDecodeError);
    expect(() => decodeJsonHeader(Buffer.from('[1]'))).toThrow(FrameDecodeError);
    expect(() => decodeJsonHeader(Buffer.from('{"code":"x"}'))).toThrow(FrameDecodeError);
  });
});

describe('JSON header shape cache', () => {
  const decodeBoth = (shape: JsonHeaderShape, text: string): [unknown, unknown] => {
    const bytes = Buffer.from(text);
    const plain = (() => {
      try {
        return decodeJsonHeader(bytes);
      } catch (err) {
        return (err as Error).name;
      }
    })();
    const cached = (() => {
      try {
        const { body: _b, serializeType: _t, ...h } = decodeJsonCommandAt(bytes, 0, bytes.length, shape);
        return h;
      } catch (err) {
        return (err as Error).name;
      }
    })();
    return [cached, plain];
  };

  it('reads the next header of the same layout by comparison, exactly as the full scan', () => {
    const shape = new JsonHeaderShape();
    const topics = ['topic-1', 'é-topic', 'a"b', '', 'x'.repeat(300), 'topic-22'];
    const opaques = [0, 1, -1, 2147483647, -2147483648, 4294967295, 42];
    for (const version of [453, 121]) {
      for (const topic of topics) {
        for (const opaque of opaques) {
          const text = JSON.stringify({ code: 105, language: 'JAVA', version, opaque, flag: 0, extFields: { topic } });
          const [cached, plain] = decodeBoth(shape, text);
          expect(cached, text).toEqual(plain);
        }
      }
    }
  });

  it('falls back whenever a fixed byte, a number or the string differ', () => {
    const shape = new JsonHeaderShape();
    const base = '{"code":105,"language":"JAVA","version":453,"opaque":7,"flag":0,"extFields":{"topic":"T"}}';
    decodeBoth(shape, base);
    const variants = [
      base.replace('"code":105', '"code":106'),
      base.replace('"opaque":7', '"opaque":07'),
      base.replace('"opaque":7', '"opaque":7.5'),
      base.replace('"opaque":7', '"opaque":12345678901'),
      base.replace('"topic":"T"', '"topic":"T\\n"'),
      base.replace('"topic":"T"', '"topic":"T","x":"y"'),
      base.replace('}}', '} }'),
      base.replace('}}', '}}x'),
      base.slice(0, -1),
      base.replace('"flag":0', '"flag":2'),
      base,
    ];
    for (const text of variants) {
      const [cached, plain] = decodeBoth(shape, text);
      expect(cached, text).toEqual(plain);
    }
  });

  it('agrees with the full scan on random header sequences', () => {
    const arbText = fc.record({
      code: fc.constantFrom(105, 106, 0),
      opaque: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
      flag: fc.constantFrom(0, 2),
      topic: fc.string({ maxLength: 8 }),
      extra: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }),
      space: fc.constantFrom('', ' '),
    }).map((h) => `{"code":${h.code},${h.space}"opaque":${h.opaque},"flag":${h.flag},"extFields":{"topic":${JSON.stringify(h.topic)}`
      + `${h.extra === undefined ? '' : `,"k":${JSON.stringify(h.extra)}`}}}`);
    fc.assert(fc.property(fc.array(arbText, { minLength: 1, maxLength: 8 }), (texts) => {
      const shape = new JsonHeaderShape();
      for (const text of texts) {
        const [cached, plain] = decodeBoth(shape, text);
        expect(cached, text).toEqual(plain);
      }
    }));
  });
});

describe('binary (ROCKETMQ) header', () => {
  it('matches RocketMQSerializable byte for byte', () => {
    const bytes = encodeBinaryHeader(header({ remark: 'ab', extFields: { k: 'v' } }));
    const expected = Buffer.concat([
      Buffer.from([0x00, 0x69]), // code 105
      Buffer.from([0x00]), // JAVA
      Buffer.from([0x01, 0xdf]), // version 479
      Buffer.from([0, 0, 0, 42]), // opaque
      Buffer.from([0, 0, 0, 0]), // flag
      Buffer.from([0, 0, 0, 2]), Buffer.from('ab'),
      Buffer.from([0, 0, 0, 8]), Buffer.from([0, 1]), Buffer.from('k'), Buffer.from([0, 0, 0, 1]), Buffer.from('v'),
    ]);
    expect(bytes).toEqual(expected);
  });

  it('round-trips any header', () => {
    fc.assert(fc.property(arbHeader, (h) => {
      expect(decodeBinaryHeader(encodeBinaryHeader(h))).toEqual(h);
    }));
  });

  it('reads empty remark and values as absent, as Java does', () => {
    const bytes = encodeBinaryHeader(header({ remark: '', extFields: { a: '', b: 'x' } }));
    expect(decodeBinaryHeader(bytes)).toMatchObject({ remark: null, extFields: { b: 'x' } });
  });

  it('refuses lengths that overrun the header', () => {
    const bytes = encodeBinaryHeader(header({ remark: 'abc' }));
    expect(() => decodeBinaryHeader(bytes.subarray(0, bytes.length - 5))).toThrow(FrameDecodeError);
    const bad = Buffer.from(bytes);
    bad.writeInt32BE(-1, 13);
    expect(() => decodeBinaryHeader(bad)).toThrow(FrameDecodeError);
    expect(() => decodeBinaryHeader(Buffer.alloc(10))).toThrow(FrameDecodeError);
  });
});

describe('frames', () => {
  it('encodes length and type<<24|headerLength, and decodes both serializations', () => {
    for (const type of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      const body = Buffer.from('hello');
      const frame = encodeFrame(header(), body, type);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const mark = frame.readInt32BE(4);
      expect(mark >>> 24).toBe(type);
      const headerLength = mark & 0xffffff;
      expect(frame.length).toBe(8 + headerLength + body.length);
      const cmd = decodeFrame(frame.subarray(4));
      expect(cmd).toMatchObject({ ...header(), serializeType: type });
      expect(cmd.body?.toString()).toBe('hello');
    }
  });

  it('decodes a frame without body as body null', () => {
    expect(decodeFrame(encodeFrame(header()).subarray(4)).body).toBeNull();
  });

  it('refuses a header length beyond the frame and unknown serialize types', () => {
    const frame = encodeFrame(header()).subarray(4);
    const bad = Buffer.from(frame);
    bad.writeInt32BE(frame.length, 0);
    expect(() => decodeFrame(bad)).toThrow(FrameDecodeError);
    const badType = Buffer.from(frame);
    badType.writeUInt8(7, 0);
    expect(() => decodeFrame(badType)).toThrow(/serialize type 7/);
  });
});

describe('FrameDecoder', () => {
  const frames = [1, 2, 3, 4, 5].map((i) => encodeFrame(header({ opaque: i }), Buffer.alloc(i * 100, i)));
  const stream = Buffer.concat(frames);

  function collect(max = 1 << 20): { decoder: FrameDecoder; got: number[] } {
    const got: number[] = [];
    const decoder = new FrameDecoder(max, (buf, start, end) => got.push(decodeFrameAt(buf, start, end).opaque));
    return { decoder, got };
  }

  it('splits coalesced frames', () => {
    const { decoder, got } = collect();
    decoder.push(stream);
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('joins frames split at every possible point, in any chunking', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const { decoder, got } = collect();
      let last = 0;
      for (const p of [...points, stream.length]) {
        decoder.push(stream.subarray(last, p));
        last = p;
      }
      expect(got).toEqual([1, 2, 3, 4, 5]);
    }));
  });

  it('byte by byte', () => {
    const { decoder, got } = collect();
    for (let i = 0; i < stream.length; i++) decoder.push(stream.subarray(i, i + 1));
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  it('copies a large frame arriving in many reads only once', () => {
    const big = encodeFrame(header({ opaque: 9 }), Buffer.alloc(4 << 20, 1));
    const { decoder, got } = collect(8 << 20);
    const start = performance.now();
    for (let i = 0; i < big.length; i += 1024) decoder.push(big.subarray(i, i + 1024));
    expect(got).toEqual([9]);
    // Quadratic buffering would copy ~8 GB here.
    expect(performance.now() - start).toBeLessThan(2_000);
  });

  it('refuses a frame above the limit as soon as its length is known', () => {
    const { decoder, got } = collect(1024);
    const head = Buffer.alloc(8);
    head.writeInt32BE(1021, 0); // 1025 bytes with the length field
    expect(() => decoder.push(head)).toThrow(FrameTooLargeError);
    expect(got).toEqual([]);
    expect(() => decoder.push(Buffer.alloc(1))).toThrow(FrameDecodeError);
  });

  it('accepts a frame exactly at the limit', () => {
    const frame = encodeFrame(header({ opaque: 3 }), null);
    const { decoder, got } = collect(frame.length);
    decoder.push(frame);
    expect(got).toEqual([3]);
  });

  it('refuses negative and too-small lengths', () => {
    for (const length of [-1, 0, 3]) {
      const { decoder } = collect();
      const b = Buffer.alloc(8);
      b.writeInt32BE(length, 0);
      expect(() => decoder.push(b)).toThrow(FrameDecodeError);
    }
  });
});

describe('fastjson bodies', () => {
  const route: TopicRouteData = {
    queueDatas: [{ brokerName: 'b', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 }],
    brokerDatas: [{ cluster: 'c', brokerName: 'b', brokerAddrs: { 0: '10.0.0.1:10911', 1: '10.0.0.2:10911' }, enableActingMaster: false }],
    filterServerTable: {},
  };

  it('writes unquoted broker ids in fastjson form and quoted in standard form', () => {
    const legacy = encodeTopicRouteData(route, false);
    expect(legacy).toBe('{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"b","cluster":"c",'
      + '"enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":8,'
      + '"topicSysFlag":0,"writeQueueNums":8}]}');
    expect(() => JSON.parse(legacy)).toThrow();
    const standard = encodeTopicRouteData(route, true);
    expect(JSON.parse(standard)).toEqual(route);
    expect(parseFastjson(legacy)).toEqual(route);
  });

  it('quotes bare keys but leaves strings and literals alone', () => {
    expect(quoteBareKeys('{0:"a:{1:2}",1:[true,false,null],"x":{-1:2}}')).toBe('{"0":"a:{1:2}","1":[true,false,null],"x":{"-1":2}}');
    expect(quoteBareKeys('{"a":"\\"{0:1}"}')).toBe('{"a":"\\"{0:1}"}');
  });
});

describe('crc32', () => {
  it('native and table implementations agree, masked like UtilAll.crc32', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(crc32(bytes)).toBe(tableCrc32ForTest(bytes));
    }));
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(bodyCrc32(Buffer.from('123456789'))).toBe(0xcbf43926 & 0x7fffffff);
    expect(bodyCrc32(null)).toBe(0);
  });
});

describe('RegisterBrokerBody', () => {
  const topicA = { topicName: 'TopicA', readQueueNums: 8, writeQueueNums: 4, perm: 6, topicSysFlag: 0, attributes: { '+a': 'b' } };
  // A table as JSON.parse builds it: `__proto__` is an own entry, not a prototype.
  const wire: Record<string, unknown> = { TopicA: topicA };
  Object.defineProperty(wire, '__proto__', { value: { topicName: '__proto__', readQueueNums: 1, writeQueueNums: 1, perm: 4, topicSysFlag: 0 }, enumerable: true });
  const body = {
    topicConfigSerializeWrapper: { topicConfigTable: wire as never, dataVersion: { stateVersion: 2, timestamp: 123, counter: 7 } },
    filterServerList: ['10.0.0.9:2000'],
  };

  it('round-trips the plain JSON form', async () => {
    const decoded = await decodeRegisterBrokerBody(encodeRegisterBrokerBody(body, false), { compressed: false, version: 479, maxInflatedBytes: 1 << 20 });
    expect(decoded.filterServerList).toEqual(['10.0.0.9:2000']);
    expect(decoded.topicConfigSerializeWrapper.dataVersion).toEqual({ stateVersion: 2, timestamp: 123, counter: 7 });
    expect(Object.keys(decoded.topicConfigSerializeWrapper.topicConfigTable)).toEqual(['TopicA', '__proto__']);
  });

  it('round-trips the compressed form (no topicSysFlag/order, as in Java)', async () => {
    const bytes = encodeRegisterBrokerBody(body, true);
    const decoded = await decodeRegisterBrokerBody(bytes, { compressed: true, version: 479, maxInflatedBytes: 1 << 20 });
    expect(decoded.filterServerList).toEqual(['10.0.0.9:2000']);
    expect(decoded.topicConfigSerializeWrapper.dataVersion).toEqual({ counter: 7, stateVersion: 2, timestamp: 123 });
    const t = decoded.topicConfigSerializeWrapper.topicConfigTable;
    expect(t.TopicA).toEqual({ topicName: 'TopicA', readQueueNums: 8, writeQueueNums: 4, perm: 6, topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0, order: false, attributes: { '+a': 'b' } });
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
    expect(t['__proto__']).toMatchObject({ topicName: '__proto__', perm: 4 });
  });

  it('reads a RocketMQ 4.x compressed body (no mapping section) and skips a 5.x mapping section', async () => {
    const parts: Buffer[] = [];
    const str = (s: string): void => {
      const b = Buffer.from(s);
      const n = Buffer.alloc(4);
      n.writeInt32BE(b.length);
      parts.push(n, b);
    };
    const int = (v: number): void => {
      const n = Buffer.alloc(4);
      n.writeInt32BE(v);
      parts.push(n);
    };
    str('{"counter":3,"stateVersion":0,"timestamp":5}');
    int(1);
    str('T1 4 4 6 MULTI_TAG '); // attributes absent: Java's split drops the trailing empty field
    str('[]');
    const v4 = deflateSync(Buffer.concat(parts));
    const decoded = await decodeRegisterBrokerBody(v4, { compressed: true, version: 400, maxInflatedBytes: 1 << 20 });
    expect(decoded.topicConfigSerializeWrapper.topicConfigTable.T1).toMatchObject({ topicName: 'T1', readQueueNums: 4, topicFilterType: 'MULTI_TAG' });
    // The same bytes claim 5.x: the mapping section is missing, as Java would fail.
    await expect(decodeRegisterBrokerBody(v4, { compressed: true, version: 479, maxInflatedBytes: 1 << 20 })).rejects.toThrow(/end of compressed data/);
    int(1);
    str('{"topic":"T1","currIdMap":{0:1}}');
    const v5 = deflateSync(Buffer.concat(parts));
    await expect(decodeRegisterBrokerBody(v5, { compressed: true, version: 479, maxInflatedBytes: 1 << 20 })).resolves.toBeDefined();
  });

  it('refuses garbage and zip bombs', async () => {
    const opts = { compressed: true, version: 479, maxInflatedBytes: 1 << 20 };
    // Declared compressed but neither zlib nor JSON.
    await expect(decodeRegisterBrokerBody(Buffer.from('not zlib'), opts)).rejects.toThrow(/neither zlib nor JSON/);
    // A zlib header whose stream is broken.
    await expect(decodeRegisterBrokerBody(Buffer.from([0x78, 0x9c, 1, 2, 3]), { ...opts, compressed: false })).rejects.toThrow(/inflate/);
    await expect(decodeRegisterBrokerBody(deflateSync(Buffer.alloc(2 << 20)), opts)).rejects.toThrow(/inflate/);
    await expect(decodeRegisterBrokerBody(Buffer.from('{x'), { ...opts, compressed: false })).rejects.toThrow(/not JSON/);
  });

  it('treats a missing body as version 0 without topics, and old brokers send a bare wrapper', async () => {
    const none = await decodeRegisterBrokerBody(null, { compressed: false, version: 479, maxInflatedBytes: 1 });
    expect(none.topicConfigSerializeWrapper).toEqual({
      topicConfigTable: {}, dataVersion: { stateVersion: 0, timestamp: 0, counter: 0 }, topicQueueMappingInfoMap: new Map(),
    });
    const old = Buffer.from(JSON.stringify({ topicConfigTable: { T: { topicName: 'T' } }, dataVersion: { timestamp: 1, counter: 2 } }));
    const decoded = await decodeRegisterBrokerBody(old, { compressed: false, version: 30, maxInflatedBytes: 1 });
    expect(decoded.topicConfigSerializeWrapper.topicConfigTable).toEqual({ T: { topicName: 'T' } });
    expect(decoded.filterServerList).toBeNull();
  });
});
