/**
 * Reads logged events back (from the file or etcd), checking each one's
 * shape: a log written by another version or edited by hand must fail
 * loudly, not apply half an event.
 * @internal
 * @module
 */
import { isPlainObject } from '../core/records.js';
import { ControllerLogError } from './errors.js';
import type { ControllerLogEvent } from './types.js';

type Fields = Record<string, unknown>;

/** The events of one record (a JSON array). */
export function parseLogEvents(text: string, where: string): ControllerLogEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ControllerLogError(`controller log ${where} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(parsed)) throw new ControllerLogError(`controller log ${where} is not an array of events`);
  return parsed.map((value, i) => parseEvent(value, `${where} event ${i}`));
}

function parseEvent(value: unknown, where: string): ControllerLogEvent {
  if (!isPlainObject(value)) throw new ControllerLogError(`controller log ${where} is not an object`);
  const e = value as Fields;
  const str = (name: string): string => {
    const v = e[name];
    if (typeof v !== 'string') throw new ControllerLogError(`controller log ${where}: ${name} is not a string`);
    return v;
  };
  const id = (name: string): number => {
    const v = e[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ControllerLogError(`controller log ${where}: ${name} is not an integer`);
    return v;
  };
  const ids = (name: string): number[] => {
    const v = e[name];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x))) {
      throw new ControllerLogError(`controller log ${where}: ${name} is not a list of ids`);
    }
    return v as number[];
  };
  switch (e.type) {
    case 'applyBrokerId':
      return {
        type: 'applyBrokerId', clusterName: str('clusterName'), brokerName: str('brokerName'), brokerAddress: str('brokerAddress'),
        newBrokerId: id('newBrokerId'), registerCheckCode: str('registerCheckCode'),
      };
    case 'updateBrokerAddress':
      return { type: 'updateBrokerAddress', clusterName: str('clusterName'), brokerName: str('brokerName'), brokerAddress: str('brokerAddress'), brokerId: id('brokerId') };
    case 'alterSyncStateSet':
      return { type: 'alterSyncStateSet', brokerName: str('brokerName'), newSyncStateSet: ids('newSyncStateSet') };
    case 'electMaster':
      return {
        type: 'electMaster', brokerName: str('brokerName'), newMasterElected: e.newMasterElected === true,
        newMasterBrokerId: e.newMasterBrokerId === null ? null : id('newMasterBrokerId'),
      };
    case 'cleanBrokerData':
      return { type: 'cleanBrokerData', brokerName: str('brokerName'), brokerIdSetToClean: e.brokerIdSetToClean === null ? null : ids('brokerIdSetToClean') };
    default:
      throw new ControllerLogError(`controller log ${where}: unknown event type ${JSON.stringify(e.type)}`);
  }
}
