/**
 * Scaling out as RocketMQ does: independent name servers, every broker
 * registers with all of them, clients rotate through the list. Three
 * instances on loopback; one is killed and comes back on its port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemotingClient, RequestCode, ResponseCode } from '../src/remoting/index.js';
import { FakeBroker, startTestNamesrv, waitForRoute, type TestNamesrv } from '../src/testing/index.js';

/** The broker's heartbeat: short, so convergence is quick to see. */
const HEARTBEAT_MILLIS = 200;
/** What a restarted instance may take beyond one heartbeat on a busy machine (timers, connects). */
const SLACK_MILLIS = 800;

const opened: Array<{ close(): Promise<void> } | FakeBroker> = [];
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await (x instanceof FakeBroker ? x.stop() : x.close());
});

async function namesrv(port = 0): Promise<TestNamesrv> {
  const started = await startTestNamesrv({ port });
  opened.push(started);
  return started;
}

/**
 * A client that holds a list of name servers the way RocketMQ clients do
 * (`NettyRemotingClient`): one connection to the chosen address; when it
 * fails, the next address in the list, round and round.
 */
class NamesrvListClient {
  readonly addrs: readonly string[];
  #index = 0;
  #client: RemotingClient | null = null;
  /** Addresses that answered, in order (one entry per switch). */
  readonly used: string[] = [];

  constructor(addrs: readonly string[]) {
    this.addrs = addrs;
  }

  get current(): string {
    return this.addrs[this.#index % this.addrs.length] as string;
  }

  /** The topic's route as one name server of the list answers it. */
  async route(topic: string): Promise<{ brokerDatas: Array<{ brokerName: string; brokerAddrs: Record<string, string> }> }> {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < this.addrs.length; attempt++) {
      try {
        this.#client ??= await this.#connect(this.current);
        const res = await this.#client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, null, { timeoutMillis: 2_000 });
        if (res.code !== ResponseCode.SUCCESS) throw new Error(`${this.current} answered ${res.code} ${res.remark ?? ''}`);
        if (this.used[this.used.length - 1] !== this.current) this.used.push(this.current);
        return JSON.parse(res.body!.toString('utf8'));
      } catch (err) {
        // Any failure of the chosen name server: drop the connection, take the next address.
        lastError = err;
        await this.#client?.close();
        this.#client = null;
        this.#index++;
      }
    }
    throw new Error(`no name server of ${this.addrs.join(';')} gave a route`, { cause: lastError });
  }

  async close(): Promise<void> {
    await this.#client?.close();
    this.#client = null;
  }

  async #connect(addr: string): Promise<RemotingClient> {
    const colon = addr.lastIndexOf(':');
    return RemotingClient.connect(Number(addr.slice(colon + 1)), addr.slice(0, colon), { timeoutMillis: 2_000 });
  }
}

describe('three independent name servers', () => {
  it('a broker registers with all; a rotating client keeps getting routes while one is killed and after it returns; the returned one converges within a heartbeat', async () => {
    const instances = [await namesrv(), await namesrv(), await namesrv()];
    const namesrvAddr = instances.map((n) => n.address).join(';');
    const broker = await FakeBroker.start({
      namesrvAddr, brokerName: 'broker-a', topics: ['Orders'], heartbeatIntervalMillis: HEARTBEAT_MILLIS,
    });
    opened.push(broker);
    // start() resolved once each of the three answered: every instance has the route now.
    for (const n of instances) expect(n.registry.getRouteInfoByTopic('Orders')?.brokerDatas[0]?.brokerName).toBe('broker-a');

    const client = new NamesrvListClient(instances.map((n) => n.address));
    opened.push(client);
    const expectRoute = async (): Promise<void> => {
      const route = await client.route('Orders');
      expect(route.brokerDatas.map((b) => [b.brokerName, b.brokerAddrs['0']])).toStrictEqual([['broker-a', broker.address]]);
    };
    await expectRoute();
    expect(client.current).toBe(instances[0]!.address);

    // Kill the instance the client uses: its next request fails over to the next one.
    const [first] = instances as [TestNamesrv, TestNamesrv, TestNamesrv];
    const port = first.port;
    await first.close();
    for (let i = 0; i < 5; i++) await expectRoute();
    expect(client.current).toBe(instances[1]!.address);

    // It comes back on the same port, empty: the broker's next heartbeat fills it, within about one interval.
    const back = await namesrv(port);
    expect(back.address).toBe(first.address);
    expect(back.registry.getRouteInfoByTopic('Orders')).toBeNull();
    const route = await waitForRoute(back, 'Orders', { timeoutMillis: HEARTBEAT_MILLIS + SLACK_MILLIS });
    expect(route.brokerDatas[0]?.brokerAddrs['0']).toBe(broker.address);
    await expectRoute();

    // With the other two gone, the client goes round the list to the returned instance, which answers.
    await instances[1]!.close();
    await instances[2]!.close();
    await expectRoute();
    expect(client.current).toBe(back.address);
    expect(client.used).toStrictEqual([instances[0]!.address, instances[1]!.address, back.address]);
  });

  it('a broker leaving unregisters from every instance, and a new topic reaches all three at once', async () => {
    const instances = [await namesrv(), await namesrv(), await namesrv()];
    const broker = await FakeBroker.start({
      namesrvAddr: instances.map((n) => n.address), brokerName: 'broker-b', topics: ['Orders'], heartbeatIntervalMillis: HEARTBEAT_MILLIS,
    });
    opened.push(broker);
    await broker.updateTopics(['Payments']);
    for (const n of instances) expect(n.registry.getRouteInfoByTopic('Payments')).not.toBeNull();
    await broker.stop();
    for (const n of instances) {
      expect(n.registry.getRouteInfoByTopic('Orders')).toBeNull();
      expect(n.registry.getRouteInfoByTopic('Payments')).toBeNull();
    }
  });
});
