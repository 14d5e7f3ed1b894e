import { jest } from '@jest/globals';
import type { ScoringStream } from '../engine/index.js';
import { FakeSource } from '../sources/fake.js';
import { parseJobConfig, type JobConfigInput } from './config.js';
import { createFakeStream } from './fakeStream.js';
import { ScoringJob } from './job.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 13, 12);
const A = { site: 'ams', link: 'transit-1' };
const B = { site: 'fra', link: 'ix' };

function setup(config: Partial<JobConfigInput> = {}, stream: () => ScoringStream = () => createFakeStream()) {
  const source = new FakeSource();
  const clock = new TestClock(T0);
  const { logger, lines } = captureLogger();
  const spec = parseJobConfig({
    name: 'test',
    source: { type: 'simulator' },
    interval: '15s',
    step: '1m',
    fit_window: '10m',
    retention: 100,
    stale_after: '3m',
    ...config,
  });
  const job = new ScoringJob(spec, { source, logger, now: clock.now, createStream: stream });
  return { source, clock, job, lines };
}

describe('ScoringJob', () => {
  test('the first run backfills the fit window; later runs fetch only what is new', async () => {
    const { source, clock, job } = setup();
    source.add(
      A,
      points(T0 - 30 * MINUTE, T0 + 10 * MINUTE, MINUTE, () => 100),
    );

    expect(job.status().health).toBe('starting');
    const first = await job.run();
    expect(first).toMatchObject({ ok: true, points: 11 });
    expect(source.requests[0]).toMatchObject({ start: T0 - 10 * MINUTE, end: T0, step: MINUTE });

    clock.advance(30_000); // not a whole step later: nothing new to ask for
    await job.run();
    expect(source.requests).toHaveLength(1);

    clock.advance(45_000);
    const next = await job.run();
    expect(source.requests[1]).toMatchObject({ start: T0 + 1, end: T0 + MINUTE });
    expect(next.points).toBe(1);
    expect(job.status()).toMatchObject({
      health: 'ok',
      runs: 3,
      series: 1,
      pointsScored: 12,
      dataUntil: T0 + MINUTE,
    });
  });

  test("each series has the job's unit, else the one its source gives, else none", async () => {
    const C = { site: 'nyc', link: 'transit-2' };
    const run = async (config: Partial<JobConfigInput>) => {
      const { source, job } = setup(config);
      const flat = points(T0 - 5 * MINUTE, T0, MINUTE, () => 100);
      source.add(A, flat, 'Bps').add(B, flat, 'pps').add(C, flat);
      await job.run();
      return Object.fromEntries(job.results().map((r) => [r.labels.link, r.unit]));
    };
    expect(await run({})).toEqual({ 'transit-1': 'Bps', ix: 'pps', 'transit-2': null });
    expect(await run({ unit: 'bps' })).toEqual({ 'transit-1': 'bps', ix: 'bps', 'transit-2': 'bps' });
  });

  test('keeps at most `retention` points per series', async () => {
    const { source, clock, job } = setup({ retention: 5 });
    source.add(
      A,
      points(T0 - 30 * MINUTE, T0 + 10 * MINUTE, MINUTE, () => 100),
    );
    await job.run();
    clock.advance(3 * MINUTE);
    await job.run();
    const [series] = job.results();
    expect(series.timestamps).toEqual([-1, 0, 1, 2, 3].map((k) => T0 + k * MINUTE));
    expect(series.score).toHaveLength(5);
    expect(job.status().pointsScored).toBe(14);
  });

  test('drops a series that is absent from the source for longer than stale_after', async () => {
    const { source, clock, job, lines } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0 + 10 * MINUTE, MINUTE, () => 100),
    );
    source.add(
      B,
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 50),
    );
    await job.run();
    expect(job.status().series).toBe(2);
    for (let k = 1; k <= 3; k++) {
      clock.advance(MINUTE);
      await job.run();
      expect(job.status().series).toBe(2);
    }
    clock.advance(MINUTE);
    await job.run();
    expect(job.status().series).toBe(1);
    expect(job.results().map((s) => s.labels)).toEqual([A]);
    expect(lines.some((l) => l.msg.includes('series gone') && (l.labels as object) !== undefined)).toBe(true);
  });

  test('a failing source makes the job failing and counts errors; it then recovers and catches up', async () => {
    const { source, clock, job } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0 + 10 * MINUTE, MINUTE, () => 100),
    );
    await job.run();

    source.setError(new Error('connection refused'));
    clock.advance(MINUTE);
    const failed = await job.run();
    expect(failed).toMatchObject({ ok: false, error: 'connection refused' });
    clock.advance(MINUTE);
    await job.run();
    expect(job.status()).toMatchObject({
      health: 'failing',
      errors: 2,
      consecutiveErrors: 2,
      lastError: { message: 'connection refused', at: T0 + 2 * MINUTE },
      dataUntil: T0,
    });

    source.setError(null);
    clock.advance(MINUTE);
    const recovered = await job.run();
    expect(recovered).toMatchObject({ ok: true, points: 3 });
    expect(source.requests.at(-1)).toMatchObject({ start: T0 + 1, end: T0 + 3 * MINUTE });
    expect(job.status()).toMatchObject({
      health: 'ok',
      errors: 2,
      consecutiveErrors: 0,
      lastSuccessAt: T0 + 3 * MINUTE,
    });
    expect(job.status().lastError?.message).toBe('connection refused');
  });

  test('runs never overlap: a run asked for while one is going is skipped and counted as missed', async () => {
    const { source, job } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 100),
    );
    let open!: () => void;
    source.setGate(new Promise<void>((resolve) => (open = resolve)));
    const first = job.run();
    expect(job.status().running).toBe(true);
    expect(await job.run()).toMatchObject({ ok: false, skipped: true });
    expect(job.status().missedRuns).toBe(1);
    open();
    expect(await first).toMatchObject({ ok: true, points: 11 });
    expect(job.status()).toMatchObject({ runs: 1, missedRuns: 1, running: false });
    expect(source.requests).toHaveLength(1);
  });

  test('a fetch that hangs is aborted after the timeout and the run fails', async () => {
    jest.useFakeTimers({ now: T0 });
    try {
      const { source, job } = setup({ timeout: '2s' });
      source.setGate(new Promise<void>(() => {}));
      const run = job.run();
      await jest.advanceTimersByTimeAsync(2000);
      expect(await run).toMatchObject({
        ok: false,
        error: expect.stringContaining('timed out after 2000 ms'),
      });
      expect(job.status().health).toBe('failing');
    } finally {
      jest.useRealTimers();
    }
  });

  test('logs an anomaly episode when it opens and when it closes, with labels and severity', async () => {
    const { source, clock, job, lines } = setup();
    const spikeAt = T0 + 2 * MINUTE;
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0 + 10 * MINUTE, MINUTE, (t) => (t === spikeAt ? 1000 : 100)),
    );
    await job.run();
    clock.advance(2 * MINUTE);
    await job.run();
    const opened = lines.find((l) => l.msg.startsWith('anomaly'));
    expect(opened).toMatchObject({ level: 40, labels: A, direction: 'up', kind: 'spike', job: 'test' });
    expect(opened?.msg).toContain('site=ams');
    expect(typeof opened?.severity).toBe('number');
    expect(job.status().openEpisodes).toBe(1);
    expect(job.results()[0].episodes).toMatchObject([{ start: spikeAt, open: true, direction: 'up' }]);

    clock.advance(MINUTE);
    await job.run();
    const closed = lines.find((l) => l.msg.startsWith('anomaly over'));
    expect(closed).toMatchObject({ level: 30, labels: A, direction: 'up' });
    expect(job.status().openEpisodes).toBe(0);
    expect(lines.filter((l) => l.msg.startsWith('anomaly'))).toHaveLength(2);
  });

  test('episodes found while backfilling are summarized once at the end of the backfill', async () => {
    const { source, job, lines } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0, MINUTE, (t) => (t === T0 - 3 * MINUTE ? 1000 : 100)),
    );
    await job.run();
    expect(lines.find((l) => l.msg.startsWith('backfill scored'))).toMatchObject({ points: 11, episodes: 1 });
    expect(lines.find((l) => l.msg.startsWith('past anomaly'))).toMatchObject({
      backfill: true,
      labels: A,
      direction: 'up',
    });
    expect(lines.some((l) => l.msg.startsWith('anomaly'))).toBe(false);
  });

  test('a series the stream fails on fails the run, not the other series, and its bad point is skipped', async () => {
    const poisoned = (): ScoringStream => {
      const inner = createFakeStream();
      return {
        ...inner,
        push: (t, v) => {
          if (v !== null && v < 0) throw new Error('negative value');
          return inner.push(t, v);
        },
      };
    };
    const { source, clock, job } = setup({}, poisoned);
    source.add(
      A,
      points(T0 - 2 * MINUTE, T0 + 5 * MINUTE, MINUTE, (t) => (t === T0 ? -1 : 100)),
    );
    source.add(
      B,
      points(T0 - 2 * MINUTE, T0 + 5 * MINUTE, MINUTE, () => 50),
    );
    const run = await job.run();
    expect(run.ok).toBe(false);
    expect(run.error).toContain('"site":"ams"');
    expect(run.error).toContain('negative value');
    expect(job.results().find((s) => s.labels.site === 'fra')?.timestamps).toHaveLength(3);
    clock.advance(MINUTE);
    expect(await job.run()).toMatchObject({ ok: true, points: 2 });
  });

  test('ignores series beyond max_series and counts them', async () => {
    const { source, job, lines } = setup({ max_series: 1 });
    source.add(
      A,
      points(T0 - MINUTE, T0, MINUTE, () => 1),
    );
    source.add(
      B,
      points(T0 - MINUTE, T0, MINUTE, () => 1),
    );
    await job.run();
    expect(job.status()).toMatchObject({ series: 1, droppedSeries: 1, health: 'ok' });
    expect(lines.some((l) => l.msg.includes('max_series'))).toBe(true);
  });

  test('results select points by time and keep the episodes that overlap the range', async () => {
    const { source, job } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0, MINUTE, (t) => (t === T0 - 5 * MINUTE ? 1000 : 100)),
    );
    await job.run();
    const [late] = job.results(T0 - 2 * MINUTE, T0);
    expect(late.timestamps).toEqual([T0 - 2 * MINUTE, T0 - MINUTE, T0]);
    expect(late.episodes).toEqual([]);
    const [early] = job.results(T0 - 6 * MINUTE, T0 - 4 * MINUTE);
    expect(early.episodes).toMatchObject([{ start: T0 - 5 * MINUTE, open: false }]);
    expect(early).toMatchObject({ labels: A, state: 'ok', detector: 'auto' });
  });

  test('null values are pushed as missing points', async () => {
    const { source, job } = setup();
    source.add(
      A,
      points(T0 - 2 * MINUTE, T0, MINUTE, (t) => (t === T0 - MINUTE ? null : 100)),
    );
    await job.run();
    expect(job.results()[0].values).toEqual([100, null, 100]);
  });
});
