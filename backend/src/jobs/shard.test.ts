import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseShard, shardFromPodName } from '../config/shard.js';
import { loadConfig } from '../config/load.js';
import { FakeSource } from '../sources/fake.js';
import { createFakeStream } from './fakeStream.js';
import { JobManager } from './manager.js';
import { JobStateStore } from './persistence.js';
import { ownerOf, ownsSeries, seriesIdentity } from './shard.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const labelSet = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), {
  maxKeys: 4,
});

/** 3,000 series of a realistic shape: links of sites in both directions. */
const SERIES = Array.from({ length: 3000 }, (_, i) => ({
  site: `site-${i % 40}`,
  link: `link-${Math.floor(i / 2)}`,
  direction: i % 2 ? 'in' : 'out',
}));

describe('sharding: which replica scores a series', () => {
  test('every series has exactly one owner among N shards, whatever its labels and N', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        fc.array(labelSet, { maxLength: 30 }),
        fc.integer({ min: 1, max: 16 }),
        (job, sets, count) => {
          for (const labels of sets) {
            const owners = Array.from({ length: count }, (_, index) => index).filter((index) =>
              ownsSeries({ index, count }, job, labels),
            );
            expect(owners).toEqual([ownerOf(seriesIdentity(job, labels), count)]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the identity is the job and the sorted labels: label order does not move a series', () => {
    const a = { site: 'ams', link: 'transit-1' };
    const b = { link: 'transit-1', site: 'ams' };
    expect(seriesIdentity('edge', a)).toBe(seriesIdentity('edge', b));
    expect(seriesIdentity('edge', a)).not.toBe(seriesIdentity('core', a));
  });

  test('3 → 4 replicas moves about a quarter of 3,000 series (at most 30 %), only to the new replica', () => {
    const before = SERIES.map((l) => ownerOf(seriesIdentity('edge', l), 3));
    const after = SERIES.map((l) => ownerOf(seriesIdentity('edge', l), 4));
    const moved = SERIES.map((_, i) => i).filter((i) => before[i] !== after[i]);
    expect(moved.length / SERIES.length).toBeLessThanOrEqual(0.3);
    expect(moved.length / SERIES.length).toBeGreaterThanOrEqual(0.2);
    for (const i of moved) expect(after[i]).toBe(3);
    // Each of the 3 shards held about a third before.
    for (let s = 0; s < 3; s++) {
      const share = before.filter((o) => o === s).length / SERIES.length;
      expect(share).toBeGreaterThan(0.28);
      expect(share).toBeLessThan(0.39);
    }
  });

  test('jobs on N replicas score the union of the series, each exactly once', async () => {
    const MINUTE = 60_000;
    const T0 = Date.UTC(2025, 0, 13, 12);
    const source = new FakeSource();
    for (const labels of SERIES.slice(0, 300)) {
      source.add(
        labels,
        points(T0 - 5 * MINUTE, T0, MINUTE, () => 100),
      );
    }
    const scored: string[] = [];
    for (let index = 0; index < 3; index++) {
      const manager = new JobManager({
        logger: captureLogger().logger,
        now: new TestClock(T0).now,
        createStream: () => createFakeStream(),
        shard: { index, count: 3 },
      });
      manager.addJob(
        { name: 'edge', source: { type: 'simulator' }, step: '1m', fit_window: '5m', detector: 'robust' },
        source,
      );
      await manager.runOnce('edge');
      const mine = manager
        .get('edge')!
        .results()
        .map((r) => JSON.stringify(r.labels));
      expect(mine.length).toBeGreaterThan(60);
      scored.push(...mine);
    }
    expect(scored).toHaveLength(300);
    expect(new Set(scored).size).toBe(300);
  });

  test('a sharded job tells its source the series it keeps (its own), an unsharded one does not', async () => {
    const T0 = Date.UTC(2025, 0, 13, 12);
    const run = async (shard: { index: number; count: number } | undefined) => {
      const source = new FakeSource();
      source.add(
        SERIES[0],
        points(T0 - 300_000, T0, 60_000, () => 1),
      );
      const manager = new JobManager({
        logger: captureLogger().logger,
        now: new TestClock(T0).now,
        createStream: () => createFakeStream(),
        ...(shard ? { shard } : {}),
      });
      manager.addJob(
        { name: 'edge', source: { type: 'simulator' }, step: '1m', fit_window: '5m', detector: 'robust' },
        source,
      );
      await manager.runOnce('edge');
      return source.requests[0];
    };
    expect((await run(undefined)).keep).toBeUndefined();
    const keep = (await run({ index: 1, count: 3 })).keep!;
    const kept = SERIES.filter((labels) => keep(labels));
    expect(kept).toEqual(SERIES.filter((labels) => ownsSeries({ index: 1, count: 3 }, 'edge', labels)));
    expect(kept.length).toBeGreaterThan(900);
  });

  test('a replica restoring a snapshot of more series than it owns (more replicas now) keeps only its own', async () => {
    const MINUTE = 60_000;
    const T0 = Date.UTC(2025, 0, 13, 12);
    const dir = mkdtempSync(join(tmpdir(), 'tl-shard-state-'));
    try {
      const source = new FakeSource();
      const labels = SERIES.slice(0, 60);
      for (const l of labels) {
        source.add(
          l,
          points(T0 - 5 * MINUTE, T0, MINUTE, () => 100),
        );
      }
      const job = { name: 'edge', source: { type: 'simulator' }, step: '1m', fit_window: '5m' } as const;
      const open = async (shard: { index: number; count: number } | null) => {
        const { logger } = captureLogger();
        const state = await JobStateStore.open({ dir, intervalMs: 0, logger });
        const manager = new JobManager({ logger, now: new TestClock(T0).now, state, shard });
        manager.addJob(job, source);
        return manager;
      };
      const single = await open(null);
      expect(await single.runOnce('edge')).toMatchObject({ ok: true });
      await single.stop();
      // The source is down: what the replica holds after its first run is what it restored.
      source.setError(new Error('down'));
      const replica = await open({ index: 1, count: 3 });
      await replica.runOnce('edge');
      const held = replica
        .get('edge')!
        .results()
        .map((r) => r.labels);
      const owned = labels.filter((l) => ownsSeries({ index: 1, count: 3 }, 'edge', l));
      expect(held.length).toBeGreaterThan(0);
      expect(held).toEqual(expect.arrayContaining(owned));
      expect(held).toHaveLength(owned.length);
      await replica.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the shard comes from --shard, TRAFFICLENS_SHARD, or the StatefulSet ordinal', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('3/3')).toMatch(/below the number of shards/);
    expect(parseShard('1/0')).toMatch(/1 to 1024/);
    expect(parseShard('two')).toMatch(/expected i\/N/);
    expect(shardFromPodName('trafficlens-4', 5)).toEqual({ index: 4, count: 5 });
    expect(shardFromPodName('trafficlens', 5)).toMatch(/-<ordinal>/);
    expect(loadConfig({ env: {}, argv: ['--shard', '1/4'] }).shard).toEqual({ index: 1, count: 4 });
    expect(loadConfig({ env: {} }).shard).toBeNull();
    expect(
      loadConfig({ env: { TRAFFICLENS_SHARDS: '3', TRAFFICLENS_POD_NAME: 'trafficlens-2' } }).shard,
    ).toEqual({ index: 2, count: 3 });
    expect(() =>
      loadConfig({ env: { TRAFFICLENS_SHARDS: '3', TRAFFICLENS_POD_NAME: 'trafficlens-3' } }),
    ).toThrow(/TRAFFICLENS_POD_NAME: the index must be below/);
    expect(() => loadConfig({ env: { TRAFFICLENS_SHARDS: '3' } })).toThrow(/set TRAFFICLENS_POD_NAME/);
    expect(() => loadConfig({ env: { TRAFFICLENS_SHARD: '5/2' } })).toThrow(/TRAFFICLENS_SHARD \(--shard\)/);
  });
});
