/**
 * Java `.properties` text: parsing (what RocketMQ's `-c namesrv.properties`
 * and the UPDATE_NAMESRV_CONFIG body go through: `#`/`!` comments, `=`, `:`
 * or whitespace separators, backslash line continuations and escapes `\t`,
 * `\n`, `\r`, `\f`, `\uXXXX`) and the two ways of writing it back.
 *
 * Charset: the text is a JavaScript string; callers decode bytes as UTF-8.
 * Java decodes the 318 body as UTF-8 too, but then reloads it through
 * `Properties.load(InputStream)`, which reads ISO-8859-1, so a non-ASCII
 * character arrives as mojibake there; here it arrives as sent.
 *
 * Hand-written rather than the `dot-properties` package, because against
 * Java's `Properties` that package (1.1.2) is wrong where it matters here:
 * it reads a malformed `\uXXXX` as text (Java refuses the body, so 318
 * answers SYSTEM_ERROR), returns a plain object that swallows a
 * `__proto__` key, and writes non-ASCII characters raw (Java writes
 * `\uXXXX`, so an ISO-8859-1 reader gets them back). The tests pin all three.
 * @module
 */

/** Parses `.properties` text into a map; a repeated key keeps its last value, as `java.util.Properties` does. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [key, value] = splitEntry(line);
    out.set(unescape(key), unescape(value));
  }
  return out;
}

/** Joins continued lines, drops blanks and comments, strips leading whitespace. */
function* logicalLines(text: string): Generator<string> {
  const lines = text.split(/\r\n|\r|\n/);
  let current: string | null = null;
  for (const raw of lines) {
    const line = raw.replace(/^[ \t\f]+/, '');
    if (current === null) {
      if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
      current = '';
    }
    if (endsWithOddBackslashes(line)) {
      current += line.slice(0, -1);
      continue;
    }
    yield current + line;
    current = null;
  }
  if (current !== null && current !== '') yield current;
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Splits at the first unescaped `=`, `:` or whitespace; whitespace around it and one `=`/`:` are separators. */
function splitEntry(line: string): [string, string] {
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    i++;
  }
  const key = line.slice(0, i);
  let j = i;
  while (j < line.length && /[ \t\f]/.test(line[j] as string)) j++;
  if (line[j] === '=' || line[j] === ':') j++;
  while (j < line.length && /[ \t\f]/.test(line[j] as string)) j++;
  return [key, line.slice(j)];
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\' || i === s.length - 1) {
      out += c;
      continue;
    }
    const next = s[++i] as string;
    switch (next) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxError(`malformed \\uXXXX escape: \\u${hex}`);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default: out += next;
    }
  }
  return out;
}

/**
 * Java's `MixAll.properties2String(properties, true)`, the GET_NAMESRV_CONFIG
 * (319) body: one `key=value` line per entry, `\n`-terminated, raw (no
 * escaping), sorted by key in UTF-16 code unit order (Java's `TreeMap` of
 * strings); an entry whose value is null or undefined is left out.
 */
export function formatPropertiesSorted(entries: Iterable<readonly [string, string | null | undefined]>): string {
  let out = '';
  for (const [key, value] of sortedPresent(entries)) out += `${key}=${value}\n`;
  return out;
}

/**
 * The same sorted `key=value` lines, escaped so that {@link parseProperties}
 * and Java's `Properties.load` (ISO-8859-1) both read back exactly what was
 * written: backslashes, control characters, leading blanks of a value,
 * separators and comment marks in a key, and every non-ASCII character
 * (`\uXXXX`) are escaped. For the usual values (ASCII, no backslash) the text
 * is identical to {@link formatPropertiesSorted}'s, which is what Java writes
 * to the config store file.
 */
export function formatPropertiesFile(entries: Iterable<readonly [string, string | null | undefined]>): string {
  let out = '';
  for (const [key, value] of sortedPresent(entries)) out += `${escapeKey(key)}=${escapeValue(value)}\n`;
  return out;
}

/** Entries with a value, sorted by key in UTF-16 code unit order (what `String.compareTo` does). */
function sortedPresent(entries: Iterable<readonly [string, string | null | undefined]>): [string, string][] {
  const present: [string, string][] = [];
  for (const [key, value] of entries) if (value !== null && value !== undefined) present.push([key, value]);
  return present.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function escapeKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i] as string;
    if (c === '=' || c === ':' || c === ' ' || ((c === '#' || c === '!') && i === 0)) out += `\\${c}`;
    else out += escapeChar(c);
  }
  return out;
}

function escapeValue(value: string): string {
  let out = '';
  let leading = true;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (leading && (c === ' ' || c === '\t' || c === '\f')) {
      out += c === ' ' ? '\\ ' : escapeChar(c);
      continue;
    }
    leading = false;
    out += escapeChar(c);
  }
  return out;
}

function escapeChar(c: string): string {
  switch (c) {
    case '\\': return '\\\\';
    case '\t': return '\\t';
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\f': return '\\f';
    default: {
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) return `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
      return c;
    }
  }
}
