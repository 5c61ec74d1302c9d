/**
 * Asks a name server (ours or RocketMQ's) for a topic's route over TCP and
 * prints it, as a RocketMQ client does before producing or consuming.
 *
 * Run: npx tsx examples/client.ts [topic] [namesrvHost:port]
 *      e.g. npx tsx examples/client.ts TopicTest 127.0.0.1:9876
 */
import { RemotingClient, RequestCode, ResponseCode } from 'rocketmq-namesrv/remoting';
import type { TopicRouteData } from 'rocketmq-namesrv';

const [topic = 'TopicTest', namesrv = '127.0.0.1:9876'] = process.argv.slice(2);
const [host = '127.0.0.1', port = '9876'] = namesrv.split(':');

const client = await RemotingClient.connect(Number(port), host);
try {
  // RocketMQ 4.9.4+ clients (version >= 401, this client's default) get standard JSON.
  const res = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
  if (res.code === ResponseCode.SUCCESS && res.body !== null) {
    const route = JSON.parse(res.body.toString('utf8')) as TopicRouteData;
    for (const qd of route.queueDatas) {
      const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
      console.log(`${qd.brokerName}: ${qd.writeQueueNums} write / ${qd.readQueueNums} read queues, perm ${qd.perm}, `
        + `brokers ${JSON.stringify(bd?.brokerAddrs ?? {})}`);
    }
    console.log(JSON.stringify(route, null, 2));
  } else {
    console.error(`no route for ${topic}: code ${res.code}, ${res.remark ?? ''}`);
    process.exitCode = 1;
  }
} finally {
  await client.close();
}
