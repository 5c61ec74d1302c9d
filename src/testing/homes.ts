/**
 * The test name servers running in this process, by address, so that a
 * {@link FakeBroker} registering with one finds it without being told: it
 * follows that name server's clock and is stopped when the last of its test
 * name servers closes. A broker registering with other name servers (a real
 * one, another process's) is unaffected.
 * @module
 */

/** What a broker registered with a test name server offers it. */
export interface HomedBroker {
  /** The name servers it registers with, as `host:port`. */
  readonly namesrvAddrs: readonly string[];
  /** True once stopped or crashed. */
  readonly stopped: boolean;
  /** Unregisters, then closes. */
  stop(): Promise<void>;
  /** Sends a heartbeat when one is due on its clock; resolves whether it sent one. */
  tick(): Promise<boolean>;
}

/** A running test name server, as its brokers see it. */
export interface BrokerHome {
  /** The injected clock, or null when it runs on real time. */
  readonly now: (() => number) | null;
  /** Takes a broker that registered with it into its care. */
  adopt(broker: HomedBroker): void;
}

// A process-wide directory: the test name servers of this process (test files
// share nothing else). Removed on close, so it never outgrows what runs.
const homes = new Map<string, BrokerHome>();

/** `localhost:9876` and `127.0.0.1:9876` are the same test name server. */
function keyOf(addr: string): string {
  return addr.trim().replace(/^localhost:/i, '127.0.0.1:');
}

/** Lists a test name server at `address` until {@link removeHome}. */
export function addHome(address: string, home: BrokerHome): void {
  homes.set(keyOf(address), home);
}

/** Takes a closing test name server out of the directory. */
export function removeHome(address: string, home: BrokerHome): void {
  if (homes.get(keyOf(address)) === home) homes.delete(keyOf(address));
}

/** The running test name servers among `addrs`, in their order. */
export function homesOf(addrs: readonly string[]): BrokerHome[] {
  const found: BrokerHome[] = [];
  for (const addr of addrs) {
    const home = homes.get(keyOf(addr));
    if (home !== undefined && !found.includes(home)) found.push(home);
  }
  return found;
}
