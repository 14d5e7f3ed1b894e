import { jest } from '@jest/globals';
import { FakeSource } from '../sources/fake.js';
import type { JobConfigInput } from './config.js';
import { createFakeStream } from './fakeStream.js';
import { JobManager } from './manager.js';
import { captureLogger, points } from './testing/helpers.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const T0 = Date.UTC(2025, 0, 13, 12);
const A = { site: 'ams', link: 'transit-1' };

const config: JobConfigInput = {
  name: 'edge',
  source: { type: 'simulator' },
  interval: '15s',
  step: '15s',
  fit_window: '10m',
  stale_after: '5m',
  timeout: '5m',
};

function setup() {
  const { logger, lines } = captureLogger();
  const manager = new JobManager({
    logger,
    random: () => 0.5,
    maxJitterMs: 5000,
    createStream: () => createFakeStream(),
  });
  const source = new FakeSource().add(
    A,
    points(T0 - 20 * MINUTE, T0 + 60 * MINUTE, 15 * SECOND, () => 100),
  );
  const job = manager.addJob(config, source);
  return { manager, source, job, lines };
}

describe('JobManager', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('starts each job after a jitter, then runs it on every interval', async () => {
    const { manager, job } = setup();
    manager.start();
    await jest.advanceTimersByTimeAsync(2499); // jitter: 0.5 × min(15 s, 5 s)
    expect(job.status().runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(job.status().runs).toBe(1);
    await jest.advanceTimersByTimeAsync(15 * SECOND);
    expect(job.status().runs).toBe(2);
    await jest.advanceTimersByTimeAsync(60 * SECOND);
    expect(job.status()).toMatchObject({ runs: 6, missedRuns: 0, health: 'ok', errors: 0 });
    await manager.stop();
  });

  test('a tick that finds the previous run still going is skipped and counted as missed', async () => {
    const { manager, source, job } = setup();
    manager.start();
    await jest.advanceTimersByTimeAsync(2500);
    expect(job.status().runs).toBe(1);

    let open!: () => void;
    source.setGate(new Promise<void>((resolve) => (open = resolve)));
    await jest.advanceTimersByTimeAsync(15 * SECOND); // run 2 starts and hangs
    source.setGate(null);
    await jest.advanceTimersByTimeAsync(30 * SECOND); // two ticks find it running
    expect(job.status()).toMatchObject({ runs: 1, missedRuns: 2, running: true });
    expect(source.requests).toHaveLength(2);

    open();
    await jest.advanceTimersByTimeAsync(0);
    expect(job.status()).toMatchObject({ runs: 2, running: false, overruns: 1 });
    await jest.advanceTimersByTimeAsync(15 * SECOND);
    expect(job.status()).toMatchObject({ runs: 3, missedRuns: 2 });
    await manager.stop();
  });

  test('ticks during the first (backfill) run are not counted as missed', async () => {
    const { manager, source, job } = setup();
    let open!: () => void;
    source.setGate(new Promise<void>((resolve) => (open = resolve)));
    manager.start();
    await jest.advanceTimersByTimeAsync(2500 + 45 * SECOND);
    expect(job.status()).toMatchObject({ runs: 0, missedRuns: 0, running: true, health: 'starting' });
    source.setGate(null);
    open();
    await jest.advanceTimersByTimeAsync(0);
    expect(job.status()).toMatchObject({ runs: 1, missedRuns: 0, health: 'ok' });
    await manager.stop();
  });

  test('ticks lost while the event loop was blocked are counted as missed', async () => {
    const { manager, job } = setup();
    manager.start();
    await jest.advanceTimersByTimeAsync(2500);
    jest.setSystemTime(Date.now() + 60 * SECOND); // the clock moves on, no timer fires
    await jest.advanceTimersByTimeAsync(15 * SECOND);
    expect(job.status().missedRuns).toBe(4);
    expect(job.status().runs).toBe(2);
    await manager.stop();
  });

  test('a source error leaves the job failing until a later tick succeeds', async () => {
    const { manager, source, job } = setup();
    source.setError(new Error('503 Service Unavailable'));
    manager.start();
    await jest.advanceTimersByTimeAsync(2500 + 15 * SECOND);
    expect(manager.list()[0]).toMatchObject({
      health: 'failing',
      errors: 2,
      lastError: { message: '503 Service Unavailable' },
    });
    source.setError(null);
    await jest.advanceTimersByTimeAsync(15 * SECOND);
    expect(manager.list()[0]).toMatchObject({ health: 'ok', errors: 2, runs: 3 });
    expect(job.results()[0].timestamps.length).toBeGreaterThan(40);
    await manager.stop();
  });

  test('stop aborts a fetch in flight, waits for the run and stops ticking', async () => {
    const { manager, source, job } = setup();
    source.setGate(new Promise<void>(() => {}));
    manager.start();
    await jest.advanceTimersByTimeAsync(2500);
    expect(job.status().running).toBe(true);
    await manager.stop();
    expect(job.status()).toMatchObject({
      running: false,
      runs: 1,
      lastError: { message: 'job manager stopping' },
    });
    await jest.advanceTimersByTimeAsync(60 * SECOND);
    expect(job.status().runs).toBe(1);
  });

  test('a job added after start is scheduled too', async () => {
    const { manager } = setup();
    manager.start();
    const other = manager.addJob({ ...config, name: 'core' }, new FakeSource().add(A, [[T0, 1]]));
    await jest.advanceTimersByTimeAsync(2500);
    expect(other.status().runs).toBe(1);
    await manager.stop();
  });

  test('names are unique, configs are validated, unknown jobs are reported', async () => {
    const { manager } = setup();
    expect(() => manager.addJob(config, new FakeSource())).toThrow('a job named "edge" already exists');
    expect(() => manager.addJob({ ...config, name: 'x', interval: 'often' })).toThrow('interval');
    expect(manager.seriesResults('nope')).toBeUndefined();
    await expect(manager.runOnce('nope')).rejects.toThrow('no job named "nope"');
    expect(manager.list().map((s) => s.name)).toEqual(['edge']);
  });

  test('runOnce runs a job now, for dry runs', async () => {
    const { manager } = setup();
    expect(await manager.runOnce('edge')).toMatchObject({ ok: true, points: 41 });
    expect(manager.seriesResults('edge', T0 - MINUTE, T0)?.[0].timestamps).toHaveLength(5);
  });
});
