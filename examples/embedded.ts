/**
 * A host app that embeds the registry: registers two brokers, prints a
 * route, then lets one broker fall silent and expires it with the clock.
 *
 * Run: npx tsx examples/embedded.ts  (or build and import from 'rocketmq-namesrv')
 */
import { RouteRegistry, type RegisterBrokerRequest } from 'rocketmq-namesrv';

// A clock we control, so expiry happens without waiting two minutes.
let now = Date.now();
const registry = new RouteRegistry({ now: () => now });

registry.on('brokerRegistered', (e) => console.log(`+ ${e.brokerName}/${e.brokerId} at ${e.brokerAddr}`));
registry.on('brokerUnregistered', (e) => console.log(`- ${e.brokerName}/${e.brokerId} at ${e.brokerAddr} (${e.reason})`));
registry.on('topicRouteChanged', (e) => console.log(`~ route of ${e.topic} changed`));

function broker(brokerName: string, brokerAddr: string): RegisterBrokerRequest {
  const topicConfigTable = {
    TopicTest: { topicName: 'TopicTest', readQueueNums: 4, writeQueueNums: 4, perm: 6 },
    [brokerName]: { topicName: brokerName, readQueueNums: 1, writeQueueNums: 1, perm: 7 },
  };
  return {
    clusterName: 'DefaultCluster',
    brokerName,
    brokerId: 0,
    brokerAddr,
    haServerAddr: brokerAddr.replace(/:\d+$/, ':10912'),
    topicConfigWrapper: { topicConfigTable, dataVersion: { timestamp: now, counter: 1 } },
  };
}

registry.registerBroker(broker('broker-a', '10.0.0.1:10911'));
registry.registerBroker(broker('broker-b', '10.0.0.2:10911'));
console.log(JSON.stringify(registry.getRouteInfoByTopic('TopicTest'), null, 2));

// broker-a keeps heartbeating every 30 s; broker-b has gone silent.
for (let i = 0; i < 4; i++) {
  now += 30_000;
  registry.registerBroker(broker('broker-a', '10.0.0.1:10911'));
}
now += 1;
console.log(`expired: ${registry.scanNotActiveBroker()}`);
console.log('brokers now serving TopicTest:', registry.getRouteInfoByTopic('TopicTest')?.brokerDatas.map((b) => b.brokerName));
