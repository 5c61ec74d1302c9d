/**
 * The controller's events as `/events` brings them (masterElected,
 * syncStateSetChanged, brokerInactive), kept as text for the controller
 * page's list: the newest few, since the page opened.
 */
import { serverNow } from './state.js';
import type { ControllerEventItem } from './types.js';

/** Most controller events the page keeps. */
const MAX_EVENTS = 50;
const events: ControllerEventItem[] = [];

/** The controller's `/events` types. */
export const CONTROLLER_EVENTS: ReadonlySet<string> = new Set(['masterElected', 'syncStateSetChanged', 'brokerInactive']);

interface ControllerEventData {
  readonly brokerName?: string;
  readonly brokerId?: number;
  readonly brokerAddr?: string;
  readonly reason?: string;
  readonly masterBrokerId?: number;
  readonly masterAddress?: string | null;
  readonly masterEpoch?: number;
  readonly syncStateSet?: readonly number[];
  readonly syncStateSetEpoch?: number;
  readonly trigger?: string;
}

function eventText(type: string, e: ControllerEventData): string {
  const group = e.brokerName ?? '?';
  if (type === 'masterElected') {
    return `${group}: master elected, id ${e.masterBrokerId ?? '?'} ${e.masterAddress ?? '(no address)'}, epoch ${e.masterEpoch ?? '?'} (by ${e.trigger ?? '?'})`;
  }
  if (type === 'syncStateSetChanged') {
    return `${group}: sync-state set {${(e.syncStateSet ?? []).join(', ')}}, epoch ${e.syncStateSetEpoch ?? '?'}`;
  }
  const why = e.reason === 'channelClosed' ? 'connection closed' : e.reason === 'expired' ? 'heartbeats stopped' : e.reason ?? '?';
  return `${group}: broker ${e.brokerId ?? '?'} ${e.brokerAddr ?? ''} inactive (${why})`;
}

/** Keeps one controller event of `/events` (newest first). */
export function controllerEvent(type: string, data: unknown): void {
  const e = (typeof data === 'object' && data !== null ? data : {}) as ControllerEventData;
  events.unshift({ type, at: serverNow(), text: eventText(type, e) });
  if (events.length > MAX_EVENTS) events.length = MAX_EVENTS;
}

/** The events kept, newest first. */
export function recentControllerEvents(): readonly ControllerEventItem[] {
  return events;
}
