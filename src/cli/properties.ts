/**
 * Java `.properties` parsing (what RocketMQ's `-c namesrv.properties` reads):
 * `#`/`!` comments, `=`, `:` or whitespace separators, backslash line
 * continuations and escapes (`\t`, `\n`, `\r`, `\f`, `\uXXXX`).
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
