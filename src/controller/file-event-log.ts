/**
 * The controller's event log in one append-only file: durable on one
 * instance. Each append is one record (all its events or none), written
 * and fsync'd before the append resolves, so an acknowledged request
 * survives `kill -9` and power loss. At start the records are replayed; a
 * torn last record (the process died mid-write) is cut off.
 *
 * Record: `uint32 BE length | 4 bytes of SHA-256(payload) | payload`, the
 * payload being the events as a JSON array.
 * @module
 */
import { createHash } from 'node:crypto';
import { open, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ControllerLogError, ControllerNotLeaderError } from './errors.js';
import type { ControllerEventLog, ControllerLeaderInfo } from './event-log.js';
import { parseLogEvents } from './log-event-codec.js';
import type { ControllerLogEvent } from './types.js';

const HEADER_BYTES = 8;
/** A larger length is not something we wrote: the record is torn or the file corrupt. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Options of {@link FileEventLog}. */
export interface FileEventLogOptions {
  /** The log file; created (with its folder) when missing. */
  readonly path: string;
  /** How GET_METADATA_INFO names this instance. @default 'n0' */
  readonly selfId?: string;
  /** GET_METADATA_INFO's `group` (Java's `controllerDLegerGroup`, which has no default there either). */
  readonly group?: string;
}

/** A durable, single-instance {@link ControllerEventLog}: always the leader. */
export class FileEventLog implements ControllerEventLog {
  readonly #path: string;
  readonly #selfId: string;
  /** GET_METADATA_INFO's `group`, when configured. */
  readonly group?: string;
  /** Where brokers reach this instance, once the remoting server says (GET_METADATA_INFO's peers). */
  #address: string | null = null;
  #file: FileHandle | null = null;
  #size = 0;
  #apply: ((event: ControllerLogEvent) => void) | null = null;
  /** Set once a write failed: where the file ends is then unknown, so nothing more is written. */
  #broken: Error | null = null;
  #closed = false;
  /** Records replayed at open and appended since. */
  #records = 0;

  constructor(options: FileEventLogOptions) {
    this.#path = options.path;
    this.#selfId = options.selfId ?? 'n0';
    if (options.group !== undefined) this.group = options.group;
  }

  /** The file. */
  get path(): string {
    return this.#path;
  }

  /** Records in the log (one per committed request). */
  get records(): number {
    return this.#records;
  }

  async open(apply: (event: ControllerLogEvent) => void): Promise<void> {
    if (this.#file !== null) throw new ControllerLogError(`${this.#path} is already open`);
    await mkdir(dirname(this.#path), { recursive: true });
    let file: FileHandle;
    try {
      file = await open(this.#path, 'a+');
    } catch (err) {
      throw new ControllerLogError(`cannot open controller log ${this.#path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const data = await file.readFile();
      const { events, goodBytes, records } = readRecords(data, this.#path);
      if (goodBytes < data.length) {
        // A torn tail: cut it so the next record follows the last whole one.
        await file.truncate(goodBytes);
        await file.datasync();
      }
      for (const event of events) apply(event);
      this.#size = goodBytes;
      this.#records = records;
    } catch (err) {
      await file.close();
      throw err;
    }
    // A new file's directory entry must be durable too.
    await syncDirectory(dirname(this.#path));
    this.#file = file;
    this.#apply = apply;
  }

  async append(events: readonly ControllerLogEvent[]): Promise<void> {
    if (this.#closed) throw new ControllerNotLeaderError('The controller log is closed');
    const file = this.#file;
    if (file === null) throw new ControllerLogError('the controller log is not open');
    if (this.#broken !== null) throw new ControllerLogError(`the controller log failed earlier: ${this.#broken.message}`, { cause: this.#broken });
    const record = encodeRecord(events);
    try {
      // 'a+' appends at the end whatever the position; the length tells replay where the record ends.
      await file.write(record, 0, record.length);
      await file.datasync();
    } catch (err) {
      this.#broken = err as Error;
      throw new ControllerLogError(`cannot write controller log ${this.#path}: ${(err as Error).message}`, { cause: err });
    }
    this.#size += record.length;
    this.#records++;
    for (const event of events) this.#apply?.(event);
  }

  isLeader(): boolean {
    return !this.#closed && this.#file !== null && this.#broken === null;
  }

  leader(): ControllerLeaderInfo | null {
    return this.isLeader() ? { id: this.#selfId, address: this.#address } : null;
  }

  peers(): string {
    // Java's form, `id:address;` (mqadmin getControllerMetaData prints each).
    return `${this.#selfId}:${this.#address ?? ''};`;
  }

  advertise(address: string): void {
    this.#address = address;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const file = this.#file;
    this.#file = null;
    await file?.close();
  }
}

/** One record for `events`. */
export function encodeRecord(events: readonly ControllerLogEvent[]): Buffer {
  const payload = Buffer.from(JSON.stringify(events), 'utf8');
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.writeUInt32BE(payload.length, 0);
  digest(payload).copy(record, 4);
  payload.copy(record, HEADER_BYTES);
  return record;
}

function digest(payload: Buffer): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, 4);
}

/**
 * The events of every whole record, and where the last whole one ends. A
 * bad record at the end is torn (cut off); a bad record followed by more
 * bytes is corruption, refused rather than silently dropping what follows.
 */
function readRecords(data: Buffer, path: string): { events: ControllerLogEvent[]; goodBytes: number; records: number } {
  const events: ControllerLogEvent[] = [];
  let offset = 0;
  let records = 0;
  while (offset < data.length) {
    const end = recordEnd(data, offset);
    if (end === null) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (!digest(payload).equals(data.subarray(offset + 4, offset + HEADER_BYTES))) {
      if (end === data.length) break;
      throw new ControllerLogError(`controller log ${path} is corrupt at byte ${offset} (checksum), ${data.length - end} bytes follow`);
    }
    events.push(...parseLogEvents(payload.toString('utf8'), `${path} at byte ${offset}`));
    offset = end;
    records++;
  }
  return { events, goodBytes: offset, records };
}

/** Where the record at `offset` ends, or null when the file ends first (torn). */
function recordEnd(data: Buffer, offset: number): number | null {
  if (offset + HEADER_BYTES > data.length) return null;
  const length = data.readUInt32BE(offset);
  if (length > MAX_RECORD_BYTES) return null;
  const end = offset + HEADER_BYTES + length;
  return end > data.length ? null : end;
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | null = null;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the file's own fsync still holds its records.
  } finally {
    await handle?.close();
  }
}
