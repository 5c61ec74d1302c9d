#!/usr/bin/env node
// R5's comparator (`npm run bench:fleet -- --raw`): a bare node:net server
// that reads the same frames and answers each with prebuilt bytes (a
// 4-broker route for 105, an empty success for 103 and the rest), with no
// registry, decode or route work. Run under the same fleet, it is the floor
// this machine gives at that moment: on a shared machine a p99 means little
// without it.
//   node bench/fleet-raw-server.mjs --port <port>
import net from 'node:net';
import { parseArgs } from 'node:util';
import { GET_ROUTEINFO_BY_TOPIC, V5_3_3 } from './fleet-topology.mjs';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } });

/** A route as our server answers one of R5's user topics: 4 brokers, 8/8 queues. */
function routeBody() {
  const brokers = [0, 1, 2, 3].map((k) => `fleet-broker-${1000 + k}`);
  return Buffer.from(JSON.stringify({
    brokerDatas: brokers.map((b, k) => ({ brokerAddrs: { 0: `10.0.3.${232 + k}:10911` }, brokerName: b, cluster: 'FleetCluster-2', enableActingMaster: false })),
    filterServerTable: {},
    queueDatas: brokers.map((b) => ({ brokerName: b, perm: 6, readQueueNums: 8, topicSysFlag: 0, writeQueueNums: 8 })),
  }));
}

const ROUTE = routeBody();

function response(opaque, body) {
  const header = Buffer.from(`{"code":0,"flag":1,"language":"JAVA","opaque":${opaque},"serializeTypeCurrentRPC":"JSON","version":${V5_3_3}}`);
  const frame = Buffer.allocUnsafe(8 + header.length + (body?.length ?? 0));
  frame.writeInt32BE(4 + header.length + (body?.length ?? 0), 0);
  frame.writeInt32BE(header.length, 4);
  header.copy(frame, 8);
  body?.copy(frame, 8 + header.length);
  return frame;
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  const chunks = [];
  let buffered = 0;
  socket.on('data', (chunk) => {
    chunks.push(chunk);
    buffered += chunk.length;
    // Only the header is parsed (as any server must, for the code and opaque); bodies are skipped.
    while (buffered >= 8) {
      let buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const length = buf.readInt32BE(0);
      if (buffered < 4 + length) {
        chunks.length = 0;
        chunks.push(buf);
        break;
      }
      const headerLength = buf.readInt32BE(4) & 0xffffff;
      const header = JSON.parse(buf.toString('utf8', 8, 8 + headerLength));
      socket.write(response(header.opaque, header.code === GET_ROUTEINFO_BY_TOPIC ? ROUTE : null));
      buf = buf.subarray(4 + length);
      buffered = buf.length;
      chunks.length = 0;
      if (buffered > 0) chunks.push(buf);
    }
  });
});
server.maxConnections = Infinity;
server.listen(Number(values.port ?? 0), values.host ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`raw comparator: boot success, address ${address}:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
