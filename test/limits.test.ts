/** The memory budget and bounded inflation: what keeps hostile input from growing memory without bound. */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InflateDataError, InflateLimitError, MemoryBudgetError } from '../src/remoting/limit-errors.js';
import { boundedInflate } from '../src/remoting/bounded-inflate.js';
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

describe('boundedInflate()', () => {
  it('inflates a body and passes its charge to the caller', async () => {
    const text = JSON.stringify({ topics: Array.from({ length: 5000 }, (_, i) => `topic-${i}`) });
    const budget = new MemoryBudget({ limitBytes: 10 << 20 });
    const out = await boundedInflate(deflateSync(text), { maxOutputBytes: 1 << 20, budget, chunkBytes: 4096 });
    expect(out.data.toString()).toBe(text);
    expect(out.reservedBytes).toBe(Buffer.byteLength(text));
    expect(budget.heldBytes).toBe(out.reservedBytes);
    out.release();
    out.release();
    expect(budget.heldBytes).toBe(0);
  });

  it('stops a zlib bomb at its cap, charges no more than the cap plus one chunk, and refunds everything', async () => {
    const bomb = await zlibBomb(64 << 20);
    expect(bomb.length).toBeLessThan(100_000);
    const budget = new MemoryBudget({ limitBytes: 256 << 20 });
    const cap = 1 << 20;
    const chunkBytes = 64 * 1024;
    const err = await boundedInflate(bomb, { maxOutputBytes: cap, budget, chunkBytes }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InflateLimitError);
    expect((err as InflateLimitError).maxOutputBytes).toBe(cap);
    expect(budget.stats().peakHeldBytes).toBeLessThanOrEqual(cap);
    expect(budget.heldBytes).toBe(0);
  });

  it('accepts output exactly at the cap', async () => {
    const out = await boundedInflate(deflateSync(Buffer.alloc(300_000, 7)), { maxOutputBytes: 300_000, chunkBytes: 65_536 });
    expect(out.data.length).toBe(300_000);
    expect(out.reservedBytes).toBe(0);
  });

  it('rejects what is not zlib, and a truncated stream, with InflateDataError and nothing charged', async () => {
    const budget = new MemoryBudget({ limitBytes: 1 << 20 });
    await expect(boundedInflate(Buffer.from('not zlib at all'), { maxOutputBytes: 1000, budget })).rejects.toBeInstanceOf(InflateDataError);
    const good = deflateSync(Buffer.alloc(200_000, 1));
    await expect(boundedInflate(good.subarray(0, good.length - 10), { maxOutputBytes: 1 << 20, budget, chunkBytes: 16_384 }))
      .rejects.toBeInstanceOf(InflateDataError);
    expect(budget.heldBytes).toBe(0);
  });

  it('stops when aborted and refunds its charge', async () => {
    const budget = new MemoryBudget({ limitBytes: 1 << 30 });
    const ac = new AbortController();
    const run = boundedInflate(await zlibBomb(32 << 20), { maxOutputBytes: 64 << 20, budget, signal: ac.signal, chunkBytes: 65_536 });
    ac.abort(new Error('connection closed'));
    await expect(run).rejects.toThrow('connection closed');
    expect(budget.heldBytes).toBe(0);
  });

  it('lets the event loop run while a large body inflates', async () => {
    const bomb = await zlibBomb(48 << 20);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const out = await boundedInflate(bomb, { maxOutputBytes: 64 << 20 });
      expect(out.data.length).toBe(48 << 20);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});
