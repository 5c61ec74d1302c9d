/**
 * Crash-safe file replacement shared by the files the name server persists
 * (the KV config, the config store): temp file, fsync, rename, fsync of the
 * directory.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a temp file next to `target`, fsyncs it and renames it over
 * `target`: a crash leaves either the old file or the new one, never a torn one.
 */
export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  // Same directory, so the rename cannot cross file systems; unique, so no two writers share it.
  const temp = join(dir, `.${basename(target)}.${randomUUID()}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    renamed = true;
  } finally {
    if (!renamed) await rm(temp, { force: true }).catch(() => undefined);
  }
  await syncDirectory(dir);
}

const TEMP_SUFFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temp files of writes a crash interrupted (`.<name>.<uuid>.tmp`,
 * see {@link writeFileAtomic}): each holds up to a whole table, and a
 * crash-looping process would otherwise pile them up. Best effort.
 */
export async function removeStaleTemps(target: string): Promise<void> {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const stale = names.filter((name) => name.startsWith(prefix) && TEMP_SUFFIX.test(name.slice(prefix.length)));
  await Promise.all(stale.map((name) => rm(join(dir, name), { force: true }).catch(() => undefined)));
}

/** Makes the rename itself durable. Best effort: some platforms (Windows) cannot fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The new file is complete either way; only its survival across a power loss is at stake.
  }
}
