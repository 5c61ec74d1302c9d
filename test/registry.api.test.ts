/**
 * The registry's honest return shapes: registration status, live broker
 * list, heartbeat liveness, topic lists; and the one error base with its
 * named context, and unknown options refused everywhere.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError, InvalidRequestError, KvConfigStore, NamesrvError, RouteRegistry,
  type RegisterBrokerRequest, type RegisterBrokerStatus,
} from '../src/index.js';
import { createHttpHandler } from '../src/http/index.js';
import { NamesrvMetrics } from '../src/metrics/index.js';
import { HttpError } from '../src/http/respond.js';
import { ClientGoneError } from '../src/http/request.js';
import { CliUsageError } from '../src/cli/config.js';
import { RemotingClient, RemotingServer } from '../src/remoting/index.js';

function reg(addr: string, brokerId: number, topics: string[], counter = 1, extra: Partial<RegisterBrokerRequest> = {}): RegisterBrokerRequest {
  const topicConfigTable = Object.fromEntries(topics.map((t) => [t, { topicName: t, readQueueNums: 4, writeQueueNums: 4, perm: 6 }]));
  return {
    clusterName: 'c', brokerName: 'b', brokerAddr: addr, brokerId, enableActingMaster: false,
    topicConfigWrapper: { topicConfigTable, dataVersion: { stateVersion: 0, timestamp: 1, counter } }, ...extra,
  };
}

describe('registerBroker status', () => {
  it('says registered, heartbeat, updated, refused (with a reason) and ignored (with a reason)', () => {
    const r = new RouteRegistry();
    const status: RegisterBrokerStatus = {};
    expect(r.registerBroker(reg('A', 0, ['T1', 'T2']), status)).toEqual({ haServerAddr: null, masterAddr: null });
    expect(status).toEqual({ outcome: 'registered', reason: undefined });
    r.registerBroker(reg('A', 0, ['T1', 'T2']), status);
    expect(status.outcome).toBe('heartbeat');
    r.registerBroker(reg('A', 0, ['T1', 'T2', 'T3'], 2), status);
    expect(status.outcome).toBe('updated');

    expect(r.registerBroker(reg('S', 1, ['only-one']), status)).toBeNull();
    expect(status.outcome).toBe('refused');
    expect(status.reason).toMatch(/exactly one topic/);

    // Another address claims id 0 with an older stateVersion: RocketMQ answers a success shape.
    const older = reg('B', 0, ['T1', 'T2']);
    r.registerBroker({ ...reg('A', 0, ['T1', 'T2'], 3), topicConfigWrapper: { topicConfigTable: {}, dataVersion: { stateVersion: 5, timestamp: 1, counter: 3 } } });
    expect(r.registerBroker(older, status)).toEqual({ haServerAddr: null, masterAddr: null });
    expect(status.outcome).toBe('ignored');
    expect(status.reason).toMatch(/stateVersion 5/);
    expect(r.getBrokerMemberGroup('c', 'b').brokerAddrs).toEqual({ 0: 'A' });
  });
});

describe('registrationRefused and registrationIgnored events', () => {
  it('tell who was refused or ignored and why, once each, and nothing for applied registrations', () => {
    const r = new RouteRegistry();
    const refused: unknown[] = [];
    const ignored: unknown[] = [];
    r.on('registrationRefused', (e) => refused.push(e));
    r.on('registrationIgnored', (e) => ignored.push(e));
    r.registerBroker(reg('A', 0, ['T1', 'T2']));
    r.registerBroker(reg('A', 0, ['T1', 'T2']));
    expect([refused, ignored]).toEqual([[], []]);
    r.registerBroker(reg('S', 1, ['only-one']));
    expect(refused).toEqual([{ clusterName: 'c', brokerName: 'b', brokerAddr: 'S', brokerId: 1, reason: expect.stringMatching(/exactly one topic/) }]);
    r.registerBroker({ ...reg('A', 0, ['T1', 'T2'], 3), topicConfigWrapper: { topicConfigTable: {}, dataVersion: { stateVersion: 5, timestamp: 1, counter: 3 } } });
    r.registerBroker(reg('B', 0, ['T1', 'T2']));
    expect(ignored).toEqual([{ clusterName: 'c', brokerName: 'b', brokerAddr: 'B', brokerId: 0, reason: expect.stringMatching(/stateVersion 5/) }]);
    expect(refused).toHaveLength(1);
  });
});

describe('live brokers and heartbeats', () => {
  it('getLiveBrokers lists every live address with every field, as fresh objects', () => {
    let now = 1_000;
    const r = new RouteRegistry({ now: () => now, brokerChannelExpiredMillis: 60_000 });
    r.registerBroker(reg('A', 0, ['T1', 'T2'], 1, { haServerAddr: 'A:ha', zoneName: 'z' }));
    r.registerBroker(reg('S', 1, ['T1', 'T2'], 1, { heartbeatTimeoutMillis: 5_000 }));
    const list = r.getLiveBrokers();
    expect(list).toEqual([
      { clusterName: 'c', brokerName: 'b', brokerId: 0, brokerAddr: 'A', haServerAddr: 'A:ha', zoneName: 'z',
        lastUpdateTimestamp: 1_000, heartbeatTimeoutMillis: 60_000, dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 } },
      { clusterName: 'c', brokerName: 'b', brokerId: 1, brokerAddr: 'S', haServerAddr: null, zoneName: null,
        lastUpdateTimestamp: 1_000, heartbeatTimeoutMillis: 5_000, dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 } },
    ]);
    list[0]!.dataVersion.counter = 99;
    now = 2_000;
    expect(r.updateBrokerInfoUpdateTimestamp('c', 'A')).toBe(true);
    expect(r.updateBrokerInfoUpdateTimestamp('c', 'nobody')).toBe(false);
    expect(r.getLiveBrokers()[0]).toMatchObject({ lastUpdateTimestamp: 2_000, dataVersion: { counter: 1 } });
  });

  it('the contract\'s topic lists are names; the unit lists are TopicList bodies', () => {
    const r = new RouteRegistry();
    r.registerBroker(reg('A', 0, ['T1', 'T2']));
    expect(r.getAllTopicList()).toEqual(['T1', 'T2']);
    expect(r.getTopicsByCluster('c')).toEqual(['T1', 'T2']);
    expect(r.getTopicsByCluster('unknown')).toEqual([]);
    expect(r.getUnitTopics()).toEqual({ topicList: [] });
  });
});

describe('errors and options', () => {
  it('every error class shares the NamesrvError base with a stable code', () => {
    const errors: NamesrvError[] = [
      new InvalidOptionError('options.port', 'must be an integer'), new HttpError(404, 'ERR_NOT_FOUND', 'nope'),
      new ClientGoneError(), new CliUsageError('bad flag', { source: '--port' }),
    ];
    for (const e of errors) expect(e).toBeInstanceOf(NamesrvError);
    expect(errors.map((e) => e.code)).toEqual(['ERR_INVALID_OPTION', 'ERR_NOT_FOUND', 'ERR_CLIENT_GONE', 'ERR_CLI_USAGE']);
    expect(errors[0]).toMatchObject({ field: 'options.port', reason: 'must be an integer' });
    expect(errors[3]).toMatchObject({ source: '--port' });
  });

  it('a bad request of a batch names its index and field without parsing a message', () => {
    const r = new RouteRegistry();
    let caught: unknown;
    try {
      r.unregisterBrokers([{ clusterName: 'c', brokerName: 'b', brokerAddr: 'A', brokerId: 0 }, { clusterName: 'c', brokerName: 'b', brokerAddr: 'A', brokerId: -1 }]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidRequestError);
    expect(caught).toMatchObject({ field: 'requests[1].brokerId', reason: 'must be a non-negative integer, got -1' });
  });

  it('unknown option keys are refused by every component, naming the key', () => {
    const registry = new RouteRegistry();
    const builds: Array<[() => unknown, string]> = [
      [() => new RouteRegistry({ brokerChannelExpiredMilis: 1 } as never), 'options.brokerChannelExpiredMilis'],
      [() => new KvConfigStore({ file: 'x' } as never), 'options.file'],
      [() => new NamesrvMetrics({ prefx: 'x' } as never), 'options.prefx'],
      [() => new RemotingServer(registry, { prot: 1 } as never), 'options.prot'],
      [() => new RemotingClient({ hots: 'x' } as never), 'options.hots'],
      [() => createHttpHandler(registry, { readonly: true } as never), 'options.readonly'],
    ];
    for (const [build, field] of builds) {
      let caught: unknown;
      try {
        build();
      } catch (err) {
        caught = err;
      }
      expect(caught, field).toBeInstanceOf(InvalidOptionError);
      expect((caught as InvalidOptionError).field).toBe(field);
    }
  });
});
