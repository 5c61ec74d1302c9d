/**
 * The package's public surface: what each entry point exports at run time.
 * `/remoting` is the server, the client, codes and errors (types aside);
 * every runtime name comes from exactly one entry; the stable testing kit
 * imports no experimental entry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = {
  'rocketmq-namesrv': '../src/index.js',
  'rocketmq-namesrv/remoting': '../src/remoting/index.js',
  'rocketmq-namesrv/http': '../src/http/index.js',
  'rocketmq-namesrv/metrics': '../src/metrics/index.js',
  'rocketmq-namesrv/experimental/codec': '../src/remoting/codec/index.js',
  'rocketmq-namesrv/testing': '../src/testing/index.js',
} as const;

async function names(path: string): Promise<string[]> {
  return Object.keys(await import(path) as Record<string, unknown>).sort();
}

it('/remoting exports the server, the client, codes and errors, nothing of access control, TLS or decoding internals', async () => {
  expect(await names(ENTRIES['rocketmq-namesrv/remoting'])).toEqual([
    'AccessControl', 'AccessPolicyError', 'BodyDecodeError', 'BodyTooLargeError', 'FLAG_ONEWAY', 'FLAG_RESPONSE', 'FrameDecodeError',
    'FrameTooLargeError', 'LanguageCode', 'MQVersion', 'ProxyProtocolError', 'REMOTING_SERVER_DEFAULTS', 'RemotingClient',
    'RemotingConnectionError', 'RemotingServer', 'RemotingTimeoutError', 'RequestCode', 'ResponseCode', 'SerializeType',
    'SlowFrameError', 'TlsConfigError', 'TlsConnectionError', 'languageCode', 'languageName',
  ]);
});

it('every runtime name is exported by exactly one entry; NamesrvMetrics by /metrics', async () => {
  const owners = new Map<string, string[]>();
  for (const [entry, path] of Object.entries(ENTRIES)) {
    for (const name of await names(path)) owners.set(name, [...(owners.get(name) ?? []), entry]);
  }
  const shared = [...owners].filter(([, entries]) => entries.length > 1);
  expect(shared).toEqual([]);
  expect(owners.get('NamesrvMetrics')).toEqual(['rocketmq-namesrv/metrics']);
});

it('the testing kit depends on stable entries, not on /experimental/codec', () => {
  const deps = readFileSync(join(root, 'src', 'testing', 'deps.ts'), 'utf8');
  expect(deps).not.toMatch(/from '\.\.\/remoting\/codec\/index\.js'/);
  expect(deps).not.toMatch(/from '[^']*experimental[^']*'/);
});
