/** A zlib stream that inflates to many zero bytes while staying tiny (about 1/1000 of its output). */
import { createDeflate } from 'node:zlib';

/** Deflates `outputBytes` zero bytes without ever holding them: one 1 MiB block written again and again. */
export async function zlibBomb(outputBytes: number): Promise<Buffer> {
  const block = Buffer.alloc(Math.min(outputBytes, 1 << 20));
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  for (let left = outputBytes; left > 0; left -= block.length) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    if (!deflate.write(piece)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}
