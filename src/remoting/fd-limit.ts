/**
 * The default cap on remoting connections, from what the process may open.
 *
 * Every connection holds a file descriptor, so the real ceiling is the
 * process's open-files limit (`ulimit -n`; Node raises the soft limit to the
 * hard one at start). A fixed cap either refuses a fleet the machine could
 * serve (R5: 2,000 brokers and 10,000 clients need 12,000 sockets) or lets
 * accepts run into EMFILE, which also starves the KV file, the HTTP API and
 * the decode workers. So the default is that limit less headroom for those;
 * where the limit cannot be read (no `/proc`: macOS, Windows) it stays
 * {@link FALLBACK_MAX_CONNECTIONS}.
 * @module
 */
import { readFileSync } from 'node:fs';

/** The cap where the open-files limit cannot be read. */
export const FALLBACK_MAX_CONNECTIONS = 10_000;

/** Descriptors kept for everything but remoting connections (stdio, files, workers, the event loop's own), at least. */
const MIN_HEADROOM = 256;
/** And a tenth of the limit beyond that, so a large limit keeps room in proportion. */
const HEADROOM_SHARE = 0.1;
/** However small the limit, this many connections are allowed. */
const MIN_MAX_CONNECTIONS = 64;

/**
 * The open-files soft limit of this process (`Max open files` in
 * `/proc/self/limits`); `Infinity` when unlimited; null where it cannot be read.
 * @param read - returns the limits file's text (a seam for tests).
 */
export function openFilesLimit(read: () => string = () => readFileSync('/proc/self/limits', 'latin1')): number | null {
  let text: string;
  try {
    text = read();
  } catch {
    return null;
  }
  const match = /^Max open files\s+(\S+)/m.exec(text);
  if (match === null) return null;
  if (match[1] === 'unlimited') return Infinity;
  const limit = Number(match[1]);
  return Number.isSafeInteger(limit) && limit > 0 ? limit : null;
}

/**
 * The default `maxConnections`: the open-files limit less headroom (256 plus
 * a tenth of the limit) and less `reserved` (e.g. the HTTP API's own
 * connection cap), at least 64; {@link FALLBACK_MAX_CONNECTIONS} when the
 * limit is unknown, `Infinity` when it is unlimited.
 */
export function defaultMaxConnections(limit: number | null = openFilesLimit(), reserved = 0): number {
  if (limit === null) return FALLBACK_MAX_CONNECTIONS;
  if (limit === Infinity) return Infinity;
  const headroom = MIN_HEADROOM + Math.ceil(limit * HEADROOM_SHARE);
  return Math.max(MIN_MAX_CONNECTIONS, limit - headroom - reserved);
}
