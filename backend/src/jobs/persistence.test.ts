/**
 * Job state files that cannot be used never stop a job: a corrupt or truncated one is moved aside, one
 * of another format version or of a changed job config is refused, and an unusable state folder leaves
 * the jobs running without persistence. Each case logs why, and the job backfills as without a snapshot.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSource } from '../sources/fake.js';
import type { JobConfigInput } from './config.js';
import { createFakeStream } from './fakeStream.js';
import { JobManager } from './manager.js';
import { JOB_STATE_VERSION, JobStateStore } from './persistence.js';
import { PointRing } from './ring.js';
import { captureLogger, points, TestClock, type LogLine } from './testing/helpers.js';

const STEP = 60_000;
const T = Date.UTC(2025, 0, 15, 12);
const FIT = 300;

const wave = (t: number) => 100 + 20 * Math.sin(t / (60 * STEP)) + ((t / STEP) % 7);

function source(): FakeSource {
  return new FakeSource().add({ link: 'a' }, points(T - FIT * STEP, T + 100 * STEP, STEP, wave)).add(
    { link: 'b' },
    points(T - FIT * STEP, T + 100 * STEP, STEP, (t) => 2 * wave(t)),
  );
}

const config: JobConfigInput = {
  name: 'edge',
  expr: 'up',
  interval: '1m',
  step: '1m',
  fit_window: FIT * STEP,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-job-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function start(at: number, stateDir = dir, overrides: Partial<JobConfigInput> = {}) {
  const clock = new TestClock(at);
  const { logger, lines } = captureLogger();
  const state = await JobStateStore.open({ dir: stateDir, intervalMs: 60_000, logger });
  const manager = new JobManager({ logger, now: clock.now, state });
  manager.addJob({ ...config, ...overrides }, source());
  return { clock, manager, lines, state };
}

const file = () => join(dir, 'edge.state');
const warnings = (lines: LogLine[]) => lines.filter((l) => l.level === 40).map((l) => l.msg);

/** A first process that backfilled and stopped, leaving its snapshot. */
async function snapshotted(): Promise<void> {
  const first = await start(T);
  expect(await first.manager.runOnce('edge')).toMatchObject({ ok: true });
  await first.manager.stop();
  expect(existsSync(file())).toBe(true);
}

/** The job backfilled its whole fit window (no snapshot used) and is healthy. */
async function expectBackfilled(m: Awaited<ReturnType<typeof start>>) {
  const outcome = await m.manager.runOnce('edge');
  expect(outcome).toMatchObject({ ok: true });
  expect(outcome.points).toBeGreaterThanOrEqual(2 * FIT);
  expect(m.lines.some((l) => /backfill scored/.test(l.msg))).toBe(true);
}

describe('job state snapshots that cannot be used', () => {
  test('a usable snapshot is restored and only the gap is scored', async () => {
    await snapshotted();
    const second = await start(T + 5 * STEP);
    const outcome = await second.manager.runOnce('edge');
    expect(outcome).toMatchObject({ ok: true, points: 10 });
    expect(second.lines.map((l) => l.msg)).toContain(
      `job edge: restored 2 series from snapshot at ${new Date(T).toISOString()}, backfilling 5 points`,
    );
    expect(second.state.health()).toMatchObject({ state: 'ok', problem: null });
  });

  test('a truncated snapshot is logged, moved aside, and the job backfills', async () => {
    await snapshotted();
    const text = readFileSync(file());
    writeFileSync(file(), text.subarray(0, Math.floor(text.length * 0.6)));
    const second = await start(T + 5 * STEP);
    await expectBackfilled(second);
    expect(warnings(second.lines).join('\n')).toMatch(
      /job edge: state snapshot is corrupt \(its body has \d+ bytes, the header says \d+ \(truncated\?\)\); moved to .*edge\.state\.corrupt-/,
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('edge.state.corrupt-'))).toHaveLength(1);
  });

  test('garbage, a damaged body and an empty file are corrupt too; the engine refusing a stream as well', async () => {
    const cases: ((text: string) => string)[] = [
      () => '\u0000\u0001 not json at all',
      () => '',
      // One character changed inside the body: the checksum catches it.
      (text) => text.replace(/"count":(\d)/, (_m, d: string) => `"count":${(Number(d) + 1) % 10}`),
      // Intact file, but a stream snapshot the engine refuses (restoreStream throws).
      (text) => {
        const [header, body] = text.split('\n');
        const changed = body.replace(/"stream":\{"version":\d+/, '"stream":{"version":-1');
        const raw = Buffer.from(changed);
        const h = { ...JSON.parse(header), bodyBytes: raw.byteLength };
        h.bodySha256 = createHash('sha256').update(raw).digest('hex');
        return `${JSON.stringify(h)}\n${changed}`;
      },
    ];
    const seen: string[] = [];
    for (const damage of cases) {
      await snapshotted();
      writeFileSync(file(), damage(readFileSync(file(), 'utf8')));
      const second = await start(T + 5 * STEP);
      await expectBackfilled(second);
      expect(warnings(second.lines).join('\n')).toMatch(/job edge: state snapshot is corrupt .*moved to/);
      seen.push(...warnings(second.lines));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    }
    expect(seen.join('\n')).toMatch(/corrupt \(series link="a": invalid stream snapshot: version/);
  });

  test('a snapshot of another format version is refused with a clear line, left in place, and the job backfills', async () => {
    await snapshotted();
    const [header, body] = readFileSync(file(), 'utf8').split('\n');
    const h = JSON.parse(header) as { version: number };
    writeFileSync(file(), `${JSON.stringify({ ...h, version: JOB_STATE_VERSION + 1 })}\n${body}`);
    const second = await start(T + 5 * STEP);
    await expectBackfilled(second);
    expect(warnings(second.lines)).toContain(
      `job edge: state snapshot not used: it has format version ${JOB_STATE_VERSION + 1}, this build reads version ${JOB_STATE_VERSION}; backfilling 5h`,
    );
    expect(readdirSync(dir).some((f) => f.includes('corrupt'))).toBe(false);
  });

  test('a snapshot written by a build with other detectors is refused as such, left in place, not called corrupt', async () => {
    await snapshotted();
    const [header, body] = readFileSync(file(), 'utf8').split('\n');
    const h = JSON.parse(header) as { engine: { stream: number; detector: number } };
    // Four versions back: the three previous ones are upgraded as their series are restored (engine/upgrade.ts).
    const older = { ...h, engine: { ...h.engine, detector: h.engine.detector - 4 } };
    writeFileSync(file(), `${JSON.stringify(older)}\n${body}`);
    const second = await start(T + 5 * STEP);
    await expectBackfilled(second);
    expect(warnings(second.lines)).toContain(
      `job edge: state snapshot not used: its series were written as stream snapshots version ${h.engine.stream} with detectors version ${h.engine.detector - 4}, this build reads ${h.engine.stream} and ${h.engine.detector - 3} or ${h.engine.detector - 2} or ${h.engine.detector - 1} or ${h.engine.detector}; backfilling 5h`,
    );
    expect(readdirSync(dir).some((f) => f.includes('corrupt'))).toBe(false);
  });

  test.each([
    [1, 9],
    [2, 8],
    [3, 7],
  ])(
    'series written %d detector version(s) back (%d components) are upgraded as they are restored, not backfilled',
    async (back, had) => {
      await snapshotted();
      const [header, body] = readFileSync(file(), 'utf8').split('\n');
      const h = JSON.parse(header) as { engine: { detector: number }; bodyBytes: number; bodySha256: string };
      // Each `auto` stream as that build wrote it: `had` components, and a calibrator of `had`.
      let downgraded = 0;
      const older = JSON.stringify(JSON.parse(body), (key, value: unknown) => {
        const v = value as { detector?: { version: number; components: unknown[] }; calibrator?: object };
        if (key !== 'stream' || !v?.detector || !v.calibrator) return value;
        downgraded++;
        const calibrator = Object.fromEntries(
          Object.entries(v.calibrator).map(([k, a]) => [k, Array.isArray(a) ? a.slice(0, had) : a]),
        );
        const detector = {
          ...v.detector,
          version: h.engine.detector - back,
          components: v.detector.components.slice(0, had),
        };
        return { ...v, detector, calibrator };
      });
      const raw = Buffer.from(older);
      const previous = {
        ...h,
        engine: { ...h.engine, detector: h.engine.detector - back },
        bodyBytes: raw.byteLength,
        bodySha256: createHash('sha256').update(raw).digest('hex'),
      };
      writeFileSync(file(), `${JSON.stringify(previous)}\n${older}`);
      expect(downgraded).toBe(2);
      const second = await start(T + 5 * STEP);
      expect(await second.manager.runOnce('edge')).toMatchObject({ ok: true, points: 10 });
      expect(second.lines.map((l) => l.msg)).toContain(
        `job edge: restored 2 series from snapshot at ${new Date(T).toISOString()}, backfilling 5 points`,
      );
      expect(warnings(second.lines)).toEqual([]);
    },
  );

  test('a header of the previous format (no engine versions) is another version, not corrupt', async () => {
    await snapshotted();
    const [header, body] = readFileSync(file(), 'utf8').split('\n');
    const { engine: _engine, ...h } = JSON.parse(header) as Record<string, unknown>;
    writeFileSync(file(), `${JSON.stringify({ ...h, version: 1 })}\n${body}`);
    const second = await start(T + 5 * STEP);
    await expectBackfilled(second);
    expect(warnings(second.lines)).toContain(
      `job edge: state snapshot not used: it has format version 1, this build reads version ${JOB_STATE_VERSION}; backfilling 5h`,
    );
    expect(readdirSync(dir).some((f) => f.includes('corrupt'))).toBe(false);
  });

  test('a changed job config refuses the snapshot; a changed interval does not', async () => {
    await snapshotted();
    const changed = await start(T + 5 * STEP, dir, { sensitivity: 80 });
    await expectBackfilled(changed);
    expect(warnings(changed.lines).join('\n')).toMatch(
      /job edge: state snapshot not used: the job's config changed since it was written \(config hash \w+, now \w+\); backfilling 5h/,
    );

    rmSync(dir, { recursive: true, force: true });
    await snapshotted();
    const slower = await start(T + 5 * STEP, dir, { interval: '2m' });
    expect(await slower.manager.runOnce('edge')).toMatchObject({ ok: true, points: 10 });
  });

  test('a snapshot older than fit_window is refused: backfilling gives the job the same history', async () => {
    await snapshotted();
    const late = await start(T + (FIT + 10) * STEP);
    const outcome = await late.manager.runOnce('edge');
    expect(outcome.ok).toBe(true);
    expect(warnings(late.lines).join('\n')).toMatch(
      /state snapshot not used: its last point .* is older than fit_window \(5h\)/,
    );
  });
});

describe('an unusable state folder', () => {
  test('a regular file: logged, reported in health, and the job runs without persistence', async () => {
    const path = join(dir, 'not-a-folder');
    writeFileSync(path, 'x');
    const m = await start(T, path);
    expect(m.state.health()).toEqual({
      state: 'unusable',
      problem: expect.stringMatching(/\((EEXIST|ENOTDIR)\)$/) as string,
      lastSnapshotAt: null,
    });
    expect(warnings(m.lines).join('\n')).toMatch(
      /job state folder .*not-a-folder is unusable \(.*\): jobs run without persistence/,
    );
    expect(await m.manager.runOnce('edge')).toMatchObject({ ok: true });
    await m.manager.stop();
    expect(readFileSync(path, 'utf8')).toBe('x');
  });

  test('a folder below a regular file: unusable, the job runs', async () => {
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'x');
    const under = await start(T, join(blocked, 'state'));
    expect(under.state.health()).toMatchObject({ state: 'unusable', problem: 'not a directory (ENOTDIR)' });
    expect(await under.manager.runOnce('edge')).toMatchObject({ ok: true });
  });

  test('the folder goes away under a running service: writes fail, the job runs on, health says failing', async () => {
    const sub = join(dir, 'sub');
    const m = await start(T, sub);
    expect(await m.manager.runOnce('edge')).toMatchObject({ ok: true });
    expect(m.state.health()).toMatchObject({ state: 'ok', lastSnapshotAt: new Date(T).toISOString() });
    rmSync(sub, { recursive: true, force: true });
    writeFileSync(sub, 'x');
    m.clock.advance(2 * STEP);
    expect(await m.manager.runOnce('edge')).toMatchObject({ ok: true, points: 4 });
    expect(m.state.health()).toMatchObject({ state: 'failing', problem: 'not a directory (ENOTDIR)' });
    expect(warnings(m.lines).join('\n')).toMatch(
      /writing the state snapshot failed \(not a directory \(ENOTDIR\)\); the job keeps running/,
    );
  });
});

describe('a stream that cannot snapshot itself', () => {
  test('the run still succeeds, the failure is logged and shown in health, and stop does not throw', async () => {
    const { logger, lines } = captureLogger();
    const state = await JobStateStore.open({ dir, intervalMs: 60_000, logger });
    const manager = new JobManager({ logger, now: () => T, state, createStream: () => createFakeStream() });
    manager.addJob(config, source());
    expect(await manager.runOnce('edge')).toMatchObject({ ok: true });
    await manager.stop();
    expect(state.health()).toMatchObject({ state: 'failing' });
    expect(warnings(lines).join('\n')).toMatch(
      /job edge: writing the state snapshot failed \(the fake stream has no snapshot .*\); the job keeps running/,
    );
    expect(existsSync(file())).toBe(false);
  });
});

describe('PointRing snapshots', () => {
  test('round-trip bit-identical, nulls and wrap-around included, into a smaller ring too', () => {
    const ring = new PointRing(300);
    for (let i = 0; i < 700; i++) {
      ring.push({
        timestamp: i * STEP,
        value: i % 5 === 0 ? null : i * 0.1,
        score: i % 11 === 0 ? 2.5 : 0.1 + i / 7,
        expected: i % 13 === 0 ? null : i,
        lower: i - 1,
        upper: i + 1,
        anomaly: i % 11 === 0,
        direction: i % 22 === 0 ? 'down' : i % 11 === 0 ? 'up' : null,
        state: 'ok',
      });
    }
    const copy = PointRing.restore(300, JSON.parse(JSON.stringify(ring.snapshot())));
    expect(copy.range()).toEqual(ring.range());
    const small = PointRing.restore(50, ring.snapshot());
    expect(small.range()).toEqual(ring.range(650 * STEP));
    expect(() => PointRing.restore(10, { ...ring.snapshot(), count: 301 })).toThrow(
      /ring column ts has 2400 bytes, expected 2408/,
    );
  });
});
