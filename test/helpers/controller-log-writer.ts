/**
 * Child process of controller-durability.test.ts: a controller on a
 * FileEventLog applying broker ids to new groups as fast as it can, printing
 * `ack N` once group gN's request is answered. The parent kills it with
 * SIGKILL at any moment.
 */
import { Controller } from '../../src/controller/controller.js';
import { FileEventLog } from '../../src/controller/file-event-log.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: controller-log-writer <file>');
const log = new FileEventLog({ path });
const controller = new Controller({ log });
await controller.start();
let next = log.records + 1;
process.stdout.write(`start ${next}\n`);
for (;;) {
  const response = await controller.applyBrokerId({ clusterName: 'c', brokerName: `g${next}`, appliedBrokerId: 1, registerCheckCode: `a:${next};1` });
  if (response.code !== 0) throw new Error(`apply g${next}: ${response.code} ${response.remark}`);
  process.stdout.write(`ack ${next}\n`);
  next++;
}
