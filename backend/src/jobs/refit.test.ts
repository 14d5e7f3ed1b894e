/** fit_every: the job rebuilds its models from a fresh fit window, keeping the old ones served meanwhile. */
import { FakeSource } from '../sources/fake.js';
import { parseJobConfig } from './config.js';
import { createFakeStream } from './fakeStream.js';
import { ScoringJob } from './job.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 13, 12);
const A = { link: 'transit-1' };
const B = { link: 'ix-1' };

function setup(fitEvery?: string) {
  const source = new FakeSource();
  const clock = new TestClock(T0);
  const { logger, lines } = captureLogger();
  const spec = parseJobConfig({
    name: 'refit',
    source: { type: 'simulator' },
    interval: '1m',
    step: '1m',
    fit_window: '10m',
    stale_after: '1h',
    ...(fitEvery ? { fit_every: fitEvery } : {}),
  });
  let streams = 0;
  const job = new ScoringJob(spec, {
    source,
    logger,
    now: clock.now,
    createStream: () => {
      streams++;
      return createFakeStream();
    },
  });
  return { source, clock, job, lines, streams: () => streams };
}

describe('fit_every', () => {
  test('without it, the models are built once and learn online', async () => {
    const { source, clock, job, streams } = setup();
    source.add(
      A,
      points(T0 - 60 * MINUTE, T0 + 60 * MINUTE, MINUTE, () => 100),
    );
    await job.run();
    for (let i = 0; i < 30; i++) {
      clock.advance(MINUTE);
      await job.run();
    }
    expect(streams()).toBe(1);
    expect(source.requests.slice(1).every((r) => r.end - r.start < MINUTE)).toBe(true);
  });

  test('with it, every fit_every the whole fit window is fetched again and the models rebuilt', async () => {
    const { source, clock, job, lines, streams } = setup('5m');
    source.add(
      A,
      points(T0 - 60 * MINUTE, T0 + 60 * MINUTE, MINUTE, () => 100),
    );
    await job.run();
    expect(streams()).toBe(1);
    for (let i = 1; i <= 5; i++) {
      clock.advance(MINUTE);
      await job.run();
    }
    expect(streams()).toBe(2);
    const refit = source.requests.at(-1);
    expect(refit).toMatchObject({ start: T0 + 5 * MINUTE - 10 * MINUTE, end: T0 + 5 * MINUTE });
    expect(lines.map((l) => l.msg)).toContain(
      'refit scored 11 points of history in 1 series: 0 anomaly episodes',
    );
    // The rebuilt series carries the whole window's results, and the next run is incremental again.
    expect(job.results()[0].timestamps).toHaveLength(11);
    clock.advance(MINUTE);
    await job.run();
    expect(source.requests.at(-1)).toMatchObject({ start: T0 + 5 * MINUTE + 1, end: T0 + 6 * MINUTE });
    expect(job.status()).toMatchObject({ health: 'ok', series: 1 });
  });

  test('a series gone from the refit window is dropped with the old models; a failed refit keeps them', async () => {
    const { source, clock, job } = setup('5m');
    source.add(
      A,
      points(T0 - 60 * MINUTE, T0 + 60 * MINUTE, MINUTE, () => 100),
    );
    source.add(
      B,
      points(T0 - 60 * MINUTE, T0 - 20 * MINUTE, MINUTE, () => 5),
    );
    await job.run();
    expect(job.status().series).toBe(1);
    source.add(
      B,
      points(T0 - 9 * MINUTE, T0 + 60 * MINUTE, MINUTE, () => 5),
    );
    clock.advance(MINUTE);
    await job.run();
    expect(job.status().series).toBe(2);
    source.remove(B);
    for (let i = 2; i <= 4; i++) {
      clock.advance(MINUTE);
      await job.run();
    }
    source.setError(new Error('connection refused'));
    clock.advance(MINUTE);
    expect((await job.run()).ok).toBe(false);
    expect(job.status().series).toBe(2);
    source.setError(null);
    clock.advance(MINUTE);
    expect((await job.run()).ok).toBe(true);
    expect(job.results().map((r) => r.labels)).toEqual([A]);
  });
});
