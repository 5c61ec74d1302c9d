/** The memory budget and the decode pool's charges to it: what keeps hostile input from growing memory without bound. */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemoryBudgetError } from '../src/remoting/limit-errors.js';
import { MQVersion } from '../src/remoting/codes.js';
import { encodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { DEFAULT_MEMORY_BUDGET_BYTES, MemoryBudget } from '../src/remoting/memory-budget.js';
import { zlibBomb } from './helpers/zlib-bomb.js';

describe('MemoryBudget', () => {
  it('defaults to 256 MiB and validates its limit', () => {
    expect(new MemoryBudget().limitBytes).toBe(DEFAULT_MEMORY_BUDGET_BYTES);
    expect(DEFAULT_MEMORY_BUDGET_BYTES).toBe(268_435_456);
    expect(() => new MemoryBudget({ limitBytes: 0 })).toThrow(/limitBytes/);
    expect(() => new MemoryBudget({ limitBytes: 1.5 })).toThrow(/limitBytes/);
  });

  it('tryReserve() admits within the limit and refuses past it; release() frees', () => {
    const b = new MemoryBudget({ limitBytes: 100 });
    expect(b.tryReserve(60)).toBe(true);
    expect(b.tryReserve(41)).toBe(false);
    expect(b.tryReserve(40)).toBe(true);
    expect(b.heldBytes).toBe(100);
    b.release(60);
    expect(b.tryReserve(50)).toBe(true);
    expect(b.stats()).toMatchObject({ heldBytes: 90, peakHeldBytes: 100, waiting: 0 });
  });

  it('serves waiters first come, first served; a later small request does not overtake a big one', async () => {
    const b = new MemoryBudget({ limitBytes: 100 });
    b.tryReserve(90);
    const order: string[] = [];
    const big = b.reserve(80).then(() => order.push('big'));
    const small = b.reserve(5).then(() => order.push('small'));
    expect(b.tryReserve(5)).toBe(false); // waiters keep their turn
    expect(b.stats()).toMatchObject({ waiting: 2, waitingBytes: 85, totalWaits: 2 });
    b.release(90);
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
    expect(b.heldBytes).toBe(85);
  });

  it('admits a reservation larger than the whole budget once nothing else is held (never a deadlock)', async () => {
    const b = new MemoryBudget({ limitBytes: 100 });
    expect(b.tryReserve(10)).toBe(true);
    expect(b.tryReserve(150)).toBe(false);
    const huge = b.reserve(150);
    b.release(10);
    await huge;
    expect(b.stats()).toMatchObject({ heldBytes: 150, oversizeAdmissions: 1 });
    b.release(150);
    expect(b.tryReserve(150)).toBe(true);
  });

  it('an aborted waiter leaves the line and lets the next one in', async () => {
    const b = new MemoryBudget({ limitBytes: 100 });
    b.tryReserve(50);
    const ac = new AbortController();
    const blocked = b.reserve(80, ac.signal);
    const next = b.reserve(40);
    ac.abort(new Error('connection closed'));
    await expect(blocked).rejects.toThrow('connection closed');
    await next;
    expect(b.stats()).toMatchObject({ heldBytes: 90, waiting: 0, waitingBytes: 0 });
  });

  it('forceReserve() charges past the limit without waiting and holds later reservations back', () => {
    const b = new MemoryBudget({ limitBytes: 100 });
    b.tryReserve(80);
    b.forceReserve(50);
    expect(b.heldBytes).toBe(130);
    expect(b.tryReserve(1)).toBe(false);
    b.release(130);
    expect(b.tryReserve(100)).toBe(true);
  });

  it('refuses releasing more than is held and bad sizes', () => {
    const b = new MemoryBudget({ limitBytes: 100 });
    b.tryReserve(10);
    expect(() => b.release(11)).toThrow(MemoryBudgetError);
    expect(() => b.tryReserve(-1)).toThrow(MemoryBudgetError);
    expect(() => b.tryReserve(Number.NaN)).toThrow(MemoryBudgetError);
    expect(b.heldBytes).toBe(10);
  });
});

describe('DecodePool and the memory budget', () => {
  const options = { compressed: true, version: MQVersion.V5_0_0, maxInflatedBytes: 64 << 20 };

  it('charges a compressed body\'s rebuild (inflated bytes and topics) while it is built, and refunds it', async () => {
    const budget = new MemoryBudget({ limitBytes: 256 << 20 });
    const pool = new DecodePool({ size: 1, budget, inlineBelowBytes: 0 });
    try {
      const names = Array.from({ length: 20_000 }, (_, t) => `topic-${t}`);
      const body = encodeRegisterBrokerBody({
        topicConfigSerializeWrapper: {
          topicConfigTable: new Map(names.map((n) => [n, { topicName: n, readQueueNums: 8, writeQueueNums: 8, perm: 6 }])),
          dataVersion: { counter: 1, timestamp: 1 },
        },
        filterServerList: [],
      }, true);
      const decoded = await pool.decode(body, options);
      expect(decoded.topicConfigSerializeWrapper.topicConfigTable.size).toBe(20_000);
      // At least the topics' estimate was held while the table was built; nothing is held now.
      expect(budget.stats().peakHeldBytes).toBeGreaterThanOrEqual(20_000 * 200);
      expect(budget.heldBytes).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('refuses zlib bombs on the worker (zeros: from their first inflated bytes; others: at the cap) with nothing held', async () => {
    const budget = new MemoryBudget({ limitBytes: 256 << 20 });
    const pool = new DecodePool({ size: 1, budget, inlineBelowBytes: 0 });
    try {
      const zeros = await zlibBomb(64 << 20);
      await expect(pool.decode(zeros, options)).rejects.toThrow(/compressed RegisterBrokerBody/);
      // A valid head, then more than the cap: inflation stops at the cap.
      const head = Buffer.alloc(8 + 2);
      head.writeInt32BE(2, 0);
      head.write('{}', 4);
      head.writeInt32BE(1, 6);
      const big = deflateSync(Buffer.concat([head, Buffer.alloc(8 << 20, 0x20)]));
      await expect(pool.decode(big, { ...options, maxInflatedBytes: 1 << 20 })).rejects.toThrow(/cannot inflate/);
      expect(budget.heldBytes).toBe(0);
      expect(pool.stats.inline).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
