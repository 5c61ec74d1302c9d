/**
 * RocketMQ's body checksum (`UtilAll.crc32`): CRC-32 masked to 31 bits, so it
 * fits a positive Java int.
 * @module
 */
import * as zlib from 'node:zlib';

/** `zlib.crc32` exists from Node 20.15; older 20.x falls back to a table. */
const nativeCrc32: ((data: Uint8Array) => number) | undefined = (zlib as Partial<typeof zlib>).crc32;

/** The CRC-32 table of the fallback: 1 KiB, built once at load rather than lazily (no mutable module state). */
const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function tableCrc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The standard (unmasked) CRC-32 of `data`, as an unsigned 32-bit number. */
export function crc32(data: Uint8Array): number {
  return nativeCrc32 === undefined ? tableCrc32(data) : nativeCrc32(data) >>> 0;
}

/** `UtilAll.crc32(body)`: the CRC-32 with its top bit cleared; 0 for no body. */
export function bodyCrc32(body: Uint8Array | null | undefined): number {
  if (body === null || body === undefined) return 0;
  return crc32(body) & 0x7fffffff;
}

/** For tests: the table implementation, whatever Node provides. */
export const tableCrc32ForTest = tableCrc32;
