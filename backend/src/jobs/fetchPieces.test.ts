import fc from 'fast-check';
import { FakeSource } from '../sources/fake.js';
import { parseJobConfig, type JobConfigInput } from './config.js';
import { createFakeStream } from './fakeStream.js';
import { MIN_PIECE_STEPS, PIECE_POINTS, pieceEnd } from './fetchPieces.js';
import { ScoringJob } from './job.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 13, 12);

describe('pieceEnd', () => {
  test('a piece is PIECE_POINTS / series steps of the grid, at least MIN_PIECE_STEPS, at most up to the end', () => {
    const end = T0 + 100_000 * MINUTE;
    expect(pieceEnd(T0, end, MINUTE, 1000)).toBe(T0 + (PIECE_POINTS / 1000 - 1) * MINUTE);
    expect(pieceEnd(T0, end, MINUTE, 200_000)).toBe(T0 + (MIN_PIECE_STEPS - 1) * MINUTE);
    expect(pieceEnd(T0, T0 + 10 * MINUTE, MINUTE, 200_000)).toBe(T0 + 10 * MINUTE);
    // A live run starts 1 ms after the cursor: its first point is the next one on the grid.
    expect(pieceEnd(T0 + 1, end, MINUTE, 200_000)).toBe(T0 + MIN_PIECE_STEPS * MINUTE);
  });

  test('consecutive pieces cover every grid point of the range exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3600 }).map((s) => s * 1000),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fc.integer({ min: 0, max: 400_000 }), { minLength: 1, maxLength: 20 }),
        (step, offset, span, seriesCounts) => {
          const start = T0 + offset;
          const end = start + span * step;
          const covered: number[] = [];
          let pieces = 0;
          for (let from = start; from <= end; pieces++) {
            const to = pieceEnd(from, end, step, seriesCounts[pieces % seriesCounts.length]);
            expect(to).toBeGreaterThanOrEqual(from);
            for (let t = Math.ceil(from / step) * step; t <= to; t += step) covered.push(t);
            from = to + 1;
          }
          const expected: number[] = [];
          for (let t = Math.ceil(start / step) * step; t <= end; t += step) expected.push(t);
          expect(covered).toEqual(expected);
        },
      ),
    );
  });
});

describe('a run fetched in pieces', () => {
  // 12 hours at 1 minute: 721 points, two pieces when the job may have 100,000 series.
  const WINDOW = 12 * 60;
  const incident = (t: number) => t >= T0 - (WINDOW - 340) * MINUTE && t < T0 - (WINDOW - 400) * MINUTE;

  function windowJob(config: Partial<JobConfigInput>, piecePoints?: number, clock = new TestClock(T0)) {
    const source = new FakeSource();
    const { logger, lines } = captureLogger();
    const spec = parseJobConfig({
      name: 'test',
      source: { type: 'simulator' },
      interval: '1m',
      step: '1m',
      fit_window: `${WINDOW}m`,
      retention: 1000,
      ...config,
    });
    const job = new ScoringJob(spec, {
      source,
      logger,
      now: clock.now,
      createStream: () => createFakeStream(),
      ...(piecePoints ? { piecePoints } : {}),
    });
    return { source, job, lines, clock };
  }

  const twoSeries = (source: FakeSource, until: number) => {
    const from = T0 - 2 * WINDOW * MINUTE;
    source
      .add(
        { link: 'a' },
        points(from, until, MINUTE, (t) => (incident(t) ? 400 : 100 + ((t / MINUTE) % 7))),
      )
      .add(
        { link: 'b' },
        points(from, until, MINUTE, (t) => 50 + ((t / MINUTE) % 3)),
      );
  };
  const nextTurn = () => new Promise((r) => setImmediate(r));

  async function backfill(config: Partial<JobConfigInput>) {
    const { source, job, lines } = windowJob(config);
    twoSeries(source, T0);
    const outcome = await job.run();
    const summary = lines.find((l) => String(l.msg).startsWith('backfill scored'));
    const past = lines.filter((l) => String(l.msg).startsWith('past anomaly'));
    return { source, job, outcome, summary, past };
  }

  test('scores and summarizes the backfill exactly as one fetch of the whole window does', async () => {
    const whole = await backfill({ max_series: 10 });
    const pieces = await backfill({ max_series: 100_000 });

    expect(whole.source.requests.map((r) => [r.start, r.end])).toEqual([[T0 - WINDOW * MINUTE, T0]]);
    // The first piece sized for 100,000 series (MIN_PIECE_STEPS), the rest for the 2 the source returned.
    const cut = T0 - WINDOW * MINUTE + (MIN_PIECE_STEPS - 1) * MINUTE;
    expect(pieces.source.requests.map((r) => [r.start, r.end])).toEqual([
      [T0 - WINDOW * MINUTE, cut],
      [cut + 1, T0],
    ]);

    expect(pieces.outcome).toMatchObject({ ok: true, points: 2 * (WINDOW + 1) });
    expect(pieces.job.results()).toEqual(whole.job.results());
    expect(pieces.job.status().dataUntil).toBe(T0);

    // The incident spans the cut: one episode, reported once, as it ended (not as it was at the cut).
    expect(pieces.summary).toMatchObject({ points: 2 * (WINDOW + 1), series: 2, episodes: 1 });
    expect(whole.summary).toMatchObject({ points: 2 * (WINDOW + 1), series: 2, episodes: 1 });
    expect(pieces.past).toHaveLength(1);
    expect(pieces.past[0]).toMatchObject({
      start: new Date(T0 - (WINDOW - 340) * MINUTE).toISOString(),
      end: new Date(T0 - (WINDOW - 399) * MINUTE).toISOString(),
      open: false,
    });
    expect(pieces.past).toEqual(whole.past.map((l) => ({ ...l, time: pieces.past[0].time })));
  });

  test('while a piece is fetched the status and the log say how far the run got', async () => {
    const { source, job, lines } = windowJob({ max_series: 100_000 });
    source.add(
      { link: 'a' },
      points(T0 - WINDOW * MINUTE, T0, MINUTE, () => 100),
    );
    let release = () => {};
    const run = job.run();
    // Hold the second fetch: the first piece has been scored by then.
    while (source.requests.length < 1) await nextTurn();
    source.setGate(new Promise<void>((resolve) => (release = resolve)));
    while (source.requests.length < 2) await nextTurn();
    const cut = T0 - WINDOW * MINUTE + (MIN_PIECE_STEPS - 1) * MINUTE;
    expect(job.status()).toMatchObject({ running: true, scoredUntil: cut, dataUntil: null });
    expect(lines.filter((l) => String(l.msg).startsWith('backfill: scored up to'))).toEqual([
      expect.objectContaining({ scoredUntil: cut, end: T0, series: 1, points: MIN_PIECE_STEPS }),
    ]);
    release();
    expect(await run).toMatchObject({ ok: true, points: WINDOW + 1 });
    expect(job.status()).toMatchObject({ running: false, scoredUntil: null, dataUntil: T0 });
  });

  test('a refit fetched in pieces serves the old models until its last piece is scored', async () => {
    // 500 points a piece: two series take pieces of MIN_PIECE_STEPS, three for the window.
    const { source, job, clock, lines } = windowJob({ fit_every: '1h' }, 500);
    twoSeries(source, T0 + 2 * 60 * MINUTE);
    await job.run();
    for (let k = 1; k < 60; k++) {
      clock.advance(MINUTE);
      await job.run();
    }
    const before = job.results();
    const requests = source.requests.length;
    clock.advance(MINUTE);
    let release = () => {};
    const refit = job.run();
    while (source.requests.length < requests + 1) await nextTurn();
    source.setGate(new Promise<void>((resolve) => (release = resolve)));
    while (source.requests.length < requests + 2) await nextTurn();
    expect(job.status().scoredUntil).toBe(
      T0 + 60 * MINUTE - WINDOW * MINUTE + (MIN_PIECE_STEPS - 1) * MINUTE,
    );
    expect(job.results()).toEqual(before);
    release();
    expect(await refit).toMatchObject({ ok: true, points: 2 * (WINDOW + 1) });
    expect(source.requests.slice(requests).map((r) => r.end - r.start)).toEqual([
      (MIN_PIECE_STEPS - 1) * MINUTE,
      MIN_PIECE_STEPS * MINUTE - 1,
      MINUTE - 1, // 721 points: 360 + 360 + 1
    ]);
    expect(lines.filter((l) => String(l.msg).startsWith('refit: scored up to'))).toHaveLength(3);

    // The same as a job started now: the refit scored the window afresh.
    const fresh = windowJob({}, undefined, new TestClock(T0 + 60 * MINUTE));
    twoSeries(fresh.source, T0 + 2 * 60 * MINUTE);
    await fresh.job.run();
    expect(job.results()).toEqual(fresh.job.results());
    expect(job.results()).not.toEqual(before);
  });

  test('a backfill whose later piece fails keeps what it scored and resumes from there', async () => {
    const { source, job } = windowJob({ max_series: 100_000 });
    twoSeries(source, T0);
    const failed = job.run();
    while (source.requests.length < 1) await nextTurn();
    source.setError(new Error('prometheus is down'));
    expect(await failed).toMatchObject({ ok: false, error: 'prometheus is down' });
    expect(job.status()).toMatchObject({
      health: 'failing',
      dataUntil: null,
      scoredUntil: null,
      pointsScored: 2 * MIN_PIECE_STEPS,
    });

    source.setError(null);
    // Again a backfill (episodes summarized, not announced one by one), of what is not scored yet.
    expect(await job.run()).toMatchObject({ ok: true, points: 2 * (WINDOW + 1 - MIN_PIECE_STEPS) });
    expect(job.status()).toMatchObject({ health: 'ok', dataUntil: T0, pointsScored: 2 * (WINDOW + 1) });
    const whole = await backfill({ max_series: 10 });
    expect(job.results()).toEqual(whole.job.results());
  });
});
