import { describe, expect, it } from 'vitest';
import { QueueFullError, SerialQueue } from '../../../node/chain/queue.ts';

describe('SerialQueue', () => {
  it('runs jobs one at a time in arrival order; a failing job does not stop the next', async () => {
    const q = new SerialQueue();
    const events: string[] = [];
    let running = 0;
    const job = (name: string, fail = false) => async () => {
      running++;
      expect(running).toBe(1);
      events.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      events.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([q.push(job('a')), q.push(job('b', true)), q.push(job('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(q.length).toBe(0);
  });

  it('refuses jobs beyond its cap', async () => {
    const q = new SerialQueue(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = q.push(() => gate);
    const second = q.push(async () => 2);
    await expect(q.push(async () => 3)).rejects.toBeInstanceOf(QueueFullError);
    release();
    await first;
    expect(await second).toBe(2);
    expect(await q.push(async () => 4)).toBe(4);
  });

  it('refuses jobs beyond its byte cap (one job of any size is always taken), and frees the bytes when jobs end', async () => {
    const q = new SerialQueue(100, 1000);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const big = q.push(() => gate, 5000); // alone in the queue: taken
    await expect(q.push(async () => 1, 1)).rejects.toMatchObject({ unit: 'bytes', limit: 1000 });
    release();
    await big;
    expect(q.bytes).toBe(0);
    let open!: () => void;
    const held = new Promise<void>((r) => (open = r));
    const a = q.push(async () => (await held, 'a'), 600);
    await expect(q.push(async () => 'b', 600)).rejects.toBeInstanceOf(QueueFullError);
    const c = q.push(async () => 'c', 400);
    expect(q.bytes).toBe(1000);
    open();
    expect([await a, await c]).toEqual(['a', 'c']);
    expect(q.bytes).toBe(0);
  });
});
