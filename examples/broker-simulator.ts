/**
 * A pretend RocketMQ broker: registers with a name server over TCP every 30 s
 * (as a real broker does, a new data version only when its topics change)
 * and unregisters on Ctrl-C.
 *
 * Run: npx tsx examples/broker-simulator.ts [namesrvHost:port] [brokerName] [brokerAddr]
 *      e.g. npx tsx examples/broker-simulator.ts 127.0.0.1:9876 broker-a 127.0.0.1:10911
 */
import { RemotingClient, RequestCode, ResponseCode } from 'rocketmq-namesrv/remoting';
import { bodyCrc32, encodeRegisterBrokerBody, type RegisterBrokerBody } from 'rocketmq-namesrv/experimental/codec';

const [namesrv = '127.0.0.1:9876', brokerName = 'broker-a', brokerAddr = '127.0.0.1:10911'] = process.argv.slice(2);
const [host = '127.0.0.1', port = '9876'] = namesrv.split(':');
const clusterName = 'DefaultCluster';
const REGISTER_INTERVAL_MILLIS = 30_000;

const body: RegisterBrokerBody = {
  topicConfigSerializeWrapper: {
    topicConfigTable: {
      TopicTest: { topicName: 'TopicTest', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
      // Brokers always hold a topic named after themselves and their cluster.
      [brokerName]: { topicName: brokerName, readQueueNums: 1, writeQueueNums: 1, perm: 7, topicSysFlag: 0 },
      [clusterName]: { topicName: clusterName, readQueueNums: 16, writeQueueNums: 16, perm: 7, topicSysFlag: 0 },
    },
    // Unchanged topics keep their version: the name server then treats a registration as a heartbeat.
    dataVersion: { stateVersion: 0, timestamp: Date.now(), counter: 1 },
  },
  filterServerList: [],
};
const header = { clusterName, brokerName, brokerAddr, brokerId: 0, haServerAddr: brokerAddr.replace(/:\d+$/, ':10912') };

const client = new RemotingClient({ host, port: Number(port) });

async function register(): Promise<void> {
  if (!client.connected) await client.connect();
  const bytes = encodeRegisterBrokerBody(body, true);
  const res = await client.invoke(RequestCode.REGISTER_BROKER, {
    ...header, enableActingMaster: false, compressed: true, bodyCrc32: bodyCrc32(bytes),
  }, bytes);
  if (res.code !== ResponseCode.SUCCESS) throw new Error(`register failed: ${res.code} ${res.remark ?? ''}`);
  console.log(`${new Date().toISOString()} registered ${brokerName} at ${brokerAddr} with ${namesrv}`);
}

async function unregister(): Promise<void> {
  if (!client.connected) return;
  const res = await client.invoke(RequestCode.UNREGISTER_BROKER, header);
  console.log(`unregistered: ${res.code === ResponseCode.SUCCESS ? 'ok' : `${res.code} ${res.remark ?? ''}`}`);
}

const tick = (): void => {
  register().catch((err: unknown) => console.error(`registration failed: ${(err as Error).message}`));
};
tick();
const timer = setInterval(tick, REGISTER_INTERVAL_MILLIS);

// A broker shutting down unregisters at once instead of waiting to expire.
const stop = (): void => {
  clearInterval(timer);
  unregister()
    .catch((err: unknown) => console.error(`unregister failed: ${(err as Error).message}`))
    .finally(() => void client.close());
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
