/**
 * The controller requests' headers (Java 5.3.3's
 * `protocol/header/controller/**` and the controller fields of
 * `BrokerHeartbeatRequestHeader`), read as `decodeCommandCustomHeader`
 * reads them; and the response headers written as Java writes them (null
 * fields left out, every value a string).
 * @internal
 */
import type {
  AlterSyncStateSetRequest, ApplyBrokerIdRequest, CleanBrokerDataRequest, ControllerHeartbeat, ElectMasterRequest, GetNextBrokerIdRequest,
  RegisterBrokerToControllerRequest, ResponseHeader,
} from '../controller/types.js';
import { booleanField, intField, longField, optionalField, requireField } from './headers.js';

type Ext = Readonly<Record<string, string>>;

/** A Java `Integer` field that may be absent. */
function optionalInt(ext: Ext, name: string): number | null {
  return Object.hasOwn(ext, name) ? intField(ext, name, 0) : null;
}

/** `AlterSyncStateSetRequestHeader` (1001). */
export function readAlterSyncStateSetHeader(ext: Ext): AlterSyncStateSetRequest {
  return { brokerName: requireField(ext, 'brokerName'), masterBrokerId: longField(ext, 'masterBrokerId', false), masterEpoch: optionalInt(ext, 'masterEpoch') };
}

/** `ElectMasterRequestHeader` (1002): Java's defaults (`""`, -1, false) for absent fields. */
export function readElectMasterHeader(ext: Ext): ElectMasterRequest {
  return {
    clusterName: optionalField(ext, 'clusterName') ?? '',
    brokerName: optionalField(ext, 'brokerName') ?? '',
    brokerId: longField(ext, 'brokerId', false) ?? -1,
    designateElect: booleanField(ext, 'designateElect') ?? false,
  };
}

/** `RegisterBrokerToControllerRequestHeader` (1003). */
export function readRegisterBrokerToControllerHeader(ext: Ext): RegisterBrokerToControllerRequest {
  return {
    clusterName: requireField(ext, 'clusterName'), brokerName: requireField(ext, 'brokerName'),
    brokerId: longField(ext, 'brokerId', true), brokerAddress: requireField(ext, 'brokerAddress'),
  };
}

/** `GetReplicaInfoRequestHeader` (1004). */
export function readGetReplicaInfoHeader(ext: Ext): { readonly brokerName: string } {
  return { brokerName: requireField(ext, 'brokerName') };
}

/** `CleanControllerBrokerDataRequestHeader` (1011). */
export function readCleanBrokerDataHeader(ext: Ext): CleanBrokerDataRequest {
  return {
    clusterName: optionalField(ext, 'clusterName'), brokerName: requireField(ext, 'brokerName'),
    brokerControllerIdsToClean: optionalField(ext, 'brokerControllerIdsToClean'),
    isCleanLivingBroker: booleanField(ext, 'isCleanLivingBroker') ?? false,
  };
}

/** `GetNextBrokerIdRequestHeader` (1012). */
export function readGetNextBrokerIdHeader(ext: Ext): GetNextBrokerIdRequest {
  return { clusterName: requireField(ext, 'clusterName'), brokerName: requireField(ext, 'brokerName') };
}

/** `ApplyBrokerIdRequestHeader` (1013). */
export function readApplyBrokerIdHeader(ext: Ext): ApplyBrokerIdRequest {
  return {
    clusterName: requireField(ext, 'clusterName'), brokerName: requireField(ext, 'brokerName'),
    appliedBrokerId: longField(ext, 'appliedBrokerId', true), registerCheckCode: requireField(ext, 'registerCheckCode'),
  };
}

/** `BrokerHeartbeatRequestHeader` (904) as the controller reads it; null without a broker id (a name server heartbeat). */
export function readControllerHeartbeatHeader(ext: Ext): Omit<ControllerHeartbeat, 'channel'> | null {
  const brokerId = longField(ext, 'brokerId', false);
  if (brokerId === null) return null;
  return {
    clusterName: requireField(ext, 'clusterName'), brokerAddr: requireField(ext, 'brokerAddr'), brokerName: requireField(ext, 'brokerName'),
    brokerId, epoch: optionalInt(ext, 'epoch'), maxOffset: longField(ext, 'maxOffset', false), confirmOffset: longField(ext, 'confirmOffset', false),
    // Java's field is spelt "Mills".
    heartbeatTimeoutMillis: longField(ext, 'heartbeatTimeoutMills', false), electionPriority: optionalInt(ext, 'electionPriority'),
  };
}

/** A response header on the wire: strings, null fields left out (as Java's `makeCustomHeaderToNet`). */
export function headerFields(header: ResponseHeader): Record<string, string> | null {
  const out: Record<string, string> = {};
  let any = false;
  for (const [key, value] of Object.entries(header)) {
    if (value === null) continue;
    out[key] = String(value);
    any = true;
  }
  return any ? out : null;
}
