/**
 * README's first example is what a newcomer copies first: it must register a
 * broker and route its topic as written (RocketMQ refuses a first
 * registration that carries exactly one topic, so a one-topic example would
 * silently return null).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, it, vi } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(root, 'test', '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("README's first example registers its broker and routes its topic", async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const source = (code as string)
    .replace("from 'rocketmq-namesrv'", `from ${JSON.stringify(pathToFileURL(join(root, 'src', 'index.ts')).href)}`)
    // Hand the example's values to the test.
    + '\nexport const result = { status, route: registry.getRouteInfoByTopic(\'TopicTest\') };\n';
  const file = join(dir, 'example.ts');
  writeFileSync(file, source);
  const printed: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
  const { result } = await import(pathToFileURL(file).href) as {
    result: { status: { outcome?: string }; route: { brokerDatas: { brokerAddrs: Record<string, string> }[] } | null };
  };
  expect(result.status.outcome).toBe('registered');
  expect(result.route?.brokerDatas[0]?.brokerAddrs['0']).toBe('10.0.0.1:10911');
  // It prints what its comments claim: both topics' route changes, the outcome, the route.
  vi.restoreAllMocks();
  expect(printed).toHaveLength(4);
  expect(new Set(printed.slice(0, 2))).toEqual(new Set(['route changed: TopicTest', 'route changed: broker-a']));
  expect(printed[2]).toBe('registered');
  expect(JSON.parse(printed.at(-1) as string)).toEqual(result.route);
});

it("README's vitest example is examples/testing-producer.test.ts verbatim, which npm test runs", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const from = readme.indexOf('A vitest file, complete');
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(from))?.[1];
  const example = readFileSync(join(root, 'examples', 'testing-producer.test.ts'), 'utf8');
  expect(from).toBeGreaterThan(0);
  expect(example.slice(example.indexOf('*/\n') + 3)).toBe(code);
});
