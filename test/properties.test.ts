/**
 * Java `.properties` text: Java's `properties2String` rendering (the 319
 * body) and the escaped file form, read back by our parser.
 */
import { describe, expect, it } from 'vitest';
import { formatPropertiesFile, formatPropertiesSorted, parseProperties } from '../src/config/properties.js';

describe('formatPropertiesSorted (MixAll.properties2String, sorted)', () => {
  it('writes raw key=value lines sorted by UTF-16 code unit, skipping null values', () => {
    const text = formatPropertiesSorted([
      ['listenPort', '9876'],
      ['Zeta', 'upper case sorts first'],
      ['__proto__', 'x'],
      ['rocketmqHome', null],
      ['bindAddress', 'a=b: c\\d'],
      ['\u00e9', '\u00e9'],
    ]);
    expect(text).toBe('Zeta=upper case sorts first\n__proto__=x\nbindAddress=a=b: c\\d\nlistenPort=9876\n\u00e9=\u00e9\n');
  });

  it('is empty for no entries', () => {
    expect(formatPropertiesSorted(new Map())).toBe('');
  });
});

describe('formatPropertiesFile', () => {
  const tricky: Array<[string, string]> = [
    ['path', 'C:\\rocketmq\\store'],
    ['leading', '  two spaces'],
    ['multi', 'line one\nline two\r\n\ttab'],
    ['key with=sep:arators', 'v'],
    ['#notAComment', 'v'],
    ['!notAComment', 'v'],
    ['unicode', 'caf\u00e9 \u6771\u4eac \u{1f680}'],
    ['empty', ''],
    ['trailing', 'spaces kept  '],
    ['__proto__', 'own key'],
  ];

  it('reads back exactly what was written', () => {
    expect([...parseProperties(formatPropertiesFile(tricky))].sort()).toEqual([...tricky].sort());
  });

  it('is plain ASCII, as Java Properties.load (ISO-8859-1) reads it', () => {
    expect(formatPropertiesFile(tricky)).toMatch(/^[\x20-\x7e\n]*$/);
    expect(formatPropertiesFile([['unicode', 'caf\u00e9']])).toBe('unicode=caf\\u00E9\n');
  });

  it('equals the 319 rendering for ordinary values', () => {
    const ordinary: Array<[string, string]> = [['listenPort', '9876'], ['bindAddress', '::'], ['socksProxyConfig', '{}']];
    expect(formatPropertiesFile(ordinary)).toBe(formatPropertiesSorted(ordinary));
  });
});

describe('parseProperties', () => {
  it('reads what mqadmin updateNamesrvConfig sends (UTF-8 key=value lines)', () => {
    const body = Buffer.from('enableTopicList=false\nproductEnvName=\u6771\u4eac\n', 'utf8');
    expect(parseProperties(body.toString('utf8'))).toEqual(new Map([
      ['enableTopicList', 'false'],
      ['productEnvName', '\u6771\u4eac'],
    ]));
  });

  it('reads Java escapes, continuations and separators', () => {
    const text = 'a\\ b = x\\\n    y\nc:\\u00e9\\t\nd e\n# comment\n! comment\n';
    expect(parseProperties(text)).toEqual(new Map([['a b', 'xy'], ['c', '\u00e9\t'], ['d', 'e']]));
  });

  it('keeps __proto__ and constructor as ordinary keys', () => {
    expect(parseProperties('__proto__=own key\nconstructor=x\n')).toEqual(new Map([['__proto__', 'own key'], ['constructor', 'x']]));
  });

  it('refuses a malformed \\u escape, as Properties.load does', () => {
    expect(() => parseProperties('k=\\u00g1')).toThrow(SyntaxError);
  });
});
