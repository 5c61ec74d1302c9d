/**
 * Planning a registration (the decisions of RocketMQ's `registerBroker`):
 * whether it is ignored, refused or applied, and which topics of its table
 * change the group's queues. Pure: it reads the tables and validates the
 * topic table, changing nothing, so an invalid table is refused cleanly.
 * @internal
 * @module
 */
import { MASTER_ID, type BrokerGroup, type LastApplied, type LiveBroker } from '../tables/records.js';
import { isSealedTopicTable, tableHasExactlyOne, type UncheckedTopicTable } from './topic-table.js';
import { planTable } from './plan-table.js';
import { PackableTopicTable } from './packed-table.js';
import type { TopicConfig } from '../types.js';
import { dataVersionEquals, type NormalizedRegistration } from './validate.js';

const NO_CHANGES: readonly TopicConfig[] = Object.freeze([]);

/**
 * How much of the topic table a registration applies, as RocketMQ decides it
 * per entry (`registerFirst || isTopicConfigChanged(...)`):
 * - `all`: every entry (a first registration or a new data version);
 * - `missing`: only the topics the group lacks (an equal data version).
 * Whatever container the table came in, a Map or a plain object.
 */
export type TableMode = 'all' | 'missing';

/** What {@link planRegistration} decided. */
export type RegistrationPlan =
  | { readonly outcome: 'ignored' | 'refused'; readonly reason: string; readonly enableActingMaster: boolean }
  | {
    readonly outcome: 'apply';
    readonly enableActingMaster: boolean;
    /** The table is applied (the broker is the master or the prime slave). */
    readonly appliesTopics: boolean;
    readonly mode: TableMode;
    /** Clear the write bit of applied queues (an acting master). */
    readonly wipeWrite: boolean;
    /** The entries to apply, validated. */
    readonly changes: readonly TopicConfig[];
    /** The table was not walked: it is the sealed table the group is known to hold (see {@link isHeld}). */
    readonly skipped: boolean;
  };

/** Decides a registration against the current tables. @throws InvalidRequestError for an invalid table entry that would be applied. */
export function planRegistration(
  r: NormalizedRegistration,
  group: BrokerGroup | undefined,
  live: LiveBroker | undefined,
  liveOf: (addr: string) => LiveBroker | undefined,
): RegistrationPlan {
  const table = r.topicConfigTable;
  const isOldVersionBroker = r.enableActingMaster === null;
  const enableActingMaster = !isOldVersionBroker && r.enableActingMaster === true;
  const oldAddrOfId = group?.addrs.get(r.brokerId);
  if (oldAddrOfId !== undefined && oldAddrOfId !== r.brokerAddr) {
    const oldLive = liveOf(oldAddrOfId);
    const newStateVersion = r.dataVersion?.stateVersion ?? 0;
    if (oldLive !== undefined && oldLive.dataVersion.stateVersion > newStateVersion) {
      return {
        outcome: 'ignored', enableActingMaster,
        reason: `broker id ${r.brokerId} of ${r.brokerName} is live at ${oldAddrOfId} with stateVersion `
          + `${oldLive.dataVersion.stateVersion}, newer than this registration's ${newStateVersion}`,
      };
    }
  }
  if (oldAddrOfId === undefined && table !== null && tableHasExactlyOne(table)) {
    return {
      outcome: 'refused', enableActingMaster,
      reason: `broker id ${r.brokerId} of ${r.brokerName} is not registered yet, and a first registration `
        + 'must not carry exactly one topic (RocketMQ refuses it)',
    };
  }
  const registerFirst = oldAddrOfId === undefined || oldAddrOfId === '';
  const isMaster = r.brokerId === MASTER_ID;
  // The lowest id after this registration (where the address appears under this id only).
  let isPrimeSlave = !isOldVersionBroker && !isMaster;
  if (isPrimeSlave && group !== undefined) {
    for (const [id, addr] of group.addrs) {
      if (id < r.brokerId && addr !== r.brokerAddr) isPrimeSlave = false;
    }
  }
  const appliesTopics = table !== null && (isMaster || isPrimeSlave);
  const wipeWrite = isPrimeSlave && enableActingMaster;
  const mode = tableMode(r, live, registerFirst);
  let changes: readonly TopicConfig[] = NO_CHANGES;
  let skipped = false;
  if (appliesTopics) {
    if (isHeld(table, group, mode, wipeWrite)) {
      // Every entry would compare equal (and was validated when it was applied): nothing to walk.
      skipped = true;
    } else {
      changes = planTable(table, group?.topics, mode === 'missing', wipeWrite);
    }
  }
  return { outcome: 'apply', enableActingMaster, appliesTopics, mode, wipeWrite, changes, skipped };
}

/**
 * What the group is known to hold once `plan` applied `table` (read by
 * {@link isHeld} next time); null unless the table is sealed. From now on
 * the registry needs the table's identity only, so a packable one (the
 * decode pool's) is packed: a re-sent table that is skipped stays packed, one
 * that must be walked is rebuilt by the walk.
 */
export function lastAppliedAfter(
  plan: Extract<RegistrationPlan, { outcome: 'apply' }>, table: UncheckedTopicTable | null, g: BrokerGroup,
): LastApplied | null {
  if (table === null || !isSealedTopicTable(table)) return null;
  if (table instanceof PackableTopicTable) table.pack();
  const topicsVersion = g.topicsVersion;
  if (plan.mode === 'all') return { sealedTable: table, exact: true, wipeWrite: plan.wipeWrite, topicsVersion };
  // An equal version skipped: what the last walk knew still holds (only topics outside the table may have gone).
  const last = g.lastApplied;
  if (plan.skipped && last !== null) return last.topicsVersion === topicsVersion ? last : { ...last, topicsVersion };
  // An equal version walked: every topic of the table is held now, but not necessarily with its figures.
  return { sealedTable: table, exact: false, wipeWrite: plan.wipeWrite, topicsVersion };
}

/** RocketMQ's `registerFirst || isBrokerTopicConfigChanged(...)`, which decides for every entry alike. */
function tableMode(r: NormalizedRegistration, live: LiveBroker | undefined, registerFirst: boolean): TableMode {
  if (registerFirst || live === undefined || r.dataVersion === null || !dataVersionEquals(live.dataVersion, r.dataVersion)) return 'all';
  return 'missing';
}

/**
 * Whether walking `table` would change nothing, known without the walk: it
 * is the very sealed instance the group's last walk applied (a sealed table
 * cannot have changed since; a decode pool hands a broker's unchanged table
 * back as that instance), and nothing changed the group's queues since. Then
 * the group still holds every topic of the table, so an equal version adds
 * nothing; a new version compares figures too, so it also needs that last
 * walk to have been a whole one with the same write permission. A fresh Map
 * or a plain object is always walked, as RocketMQ walks it.
 */
function isHeld(table: UncheckedTopicTable, group: BrokerGroup | undefined, mode: TableMode, wipeWrite: boolean): boolean {
  const last = group?.lastApplied;
  if (last == null || last.sealedTable !== table || last.topicsVersion !== group?.topicsVersion) return false;
  return mode === 'missing' || (last.exact && last.wipeWrite === wipeWrite);
}
