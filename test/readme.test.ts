/**
 * README's first example is what a newcomer copies first: it must register a
 * broker and route its topic as written (RocketMQ refuses a first
 * registration that carries exactly one topic, so a one-topic example would
 * silently return null).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(root, 'test', '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("README's first example registers its broker and routes its topic", async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const source = (code as string)
    .replace("from 'rocketmq-namesrv'", `from ${JSON.stringify(pathToFileURL(join(root, 'src', 'index.ts')).href)}`)
    .replaceAll('console.log', 'void')
    // Hand the example's values to the test.
    + '\nexport const result = { status, route: registry.getRouteInfoByTopic(\'TopicTest\') };\n';
  const file = join(dir, 'example.ts');
  writeFileSync(file, source);
  const { result } = await import(pathToFileURL(file).href) as {
    result: { status: { outcome?: string }; route: { brokerDatas: { brokerAddrs: Record<string, string> }[] } | null };
  };
  expect(result.status.outcome).toBe('registered');
  expect(result.route?.brokerDatas[0]?.brokerAddrs['0']).toBe('10.0.0.1:10911');
});
