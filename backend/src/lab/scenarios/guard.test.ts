/**
 * Regression guard: the whole scenario suite at the fixed GUARD_SEEDS, every run checked against its
 * row in expectations.ts, and the guard's own tests showing it can fail (a scorer that never flags and
 * one that pages on noise both break it).
 *
 * The suite is scored by the built CLI in a child process (`node bin/trafficlens.js scenarios --seed …
 * --format json`), not in jest: jest runs code in a vm context, where every global lookup (Math,
 * Float64Array) is ~9× slower, and the engine would take ~1.5 s per 14-day series instead of ~0.15 s.
 * So this test needs `npm run build -w backend` first (`npm test` builds); it fails, rather than
 * silently measuring old code, when a source file is newer than its compiled output.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { SCENARIOS } from './catalog.js';
import { EXPECTATIONS, GUARD_SEEDS, expectationFor, violations } from './expectations.js';
import type { ScoredSeries } from './measure.js';
import { runSuite, type Scorer, type SuiteResult } from './suite.js';

const BACKEND = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(BACKEND, 'bin', 'trafficlens.js');

/**
 * Sources whose compiled .js in dist/ is missing or older: the files tsconfig.build.json builds, as
 * TypeScript itself lists them (its exclusions, e.g. test helpers, included).
 */
function staleOutputs(): string[] {
  const configPath = join(BACKEND, 'tsconfig.build.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, BACKEND, undefined, configPath);
  const src = join(BACKEND, 'src');
  return parsed.fileNames
    .filter((path) => {
      const out = join(BACKEND, 'dist', relative(src, path).replace(/\.ts$/, '.js'));
      return !existsSync(out) || statSync(out).mtimeMs < statSync(path).mtimeMs;
    })
    .map((path) => relative(src, path));
}

/** Every point scored 0: what a detector that absorbs everything would report. */
const noOpScorer: Scorer = (series) => ({
  timestamps: series.timestamps,
  values: series.values,
  score: series.values.map(() => 0),
  anomaly: series.values.map(() => false),
  episodes: [],
  learningPoints: 100,
});

/**
 * A one-point episode every 120 points, at most 6 hours apart: a detector paging on noise (12 false
 * episodes a day at a 1-minute step, 4 at an hourly one).
 */
const chattyScorer: Scorer = (series) => {
  const score = series.values.map(() => 0);
  const episodes: ScoredSeries['episodes'][number][] = [];
  const step = series.timestamps[1] - series.timestamps[0];
  const every = Math.min(120, Math.round((6 * 3_600_000) / step));
  for (let i = every; i < series.timestamps.length; i += every) {
    score[i] = 1.5;
    episodes.push({ start: series.timestamps[i], end: series.timestamps[i], peakScore: 1.5 });
  }
  return { ...noOpScorer(series, {}), score, anomaly: score.map((s) => s >= 1), episodes };
};

type Runs = Pick<SuiteResult, 'runs'>;

function allViolations(r: Runs): string[] {
  return r.runs.flatMap((run) => {
    const e = expectationFor(run.scenario);
    return e ? violations(run.metrics, e).map((v) => `seed ${run.seed}: ${v}`) : [];
  });
}

describe('scenario suite regression guard', () => {
  let result: SuiteResult;
  beforeAll(async () => {
    const stale = staleOutputs();
    if (stale.length > 0) {
      throw new Error(
        `backend/dist is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}): run \`npm run build -w backend\` first`,
      );
    }
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'scenarios', '--seed', GUARD_SEEDS.join(','), '--format', 'json'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    result = JSON.parse(stdout) as SuiteResult;
  });

  test('ran every scenario at every guard seed, with the default detector and sensitivity', () => {
    expect(result.seeds).toEqual(GUARD_SEEDS);
    expect(result.params).toEqual({ detector: 'auto', sensitivity: 50 });
    expect(result.runs).toHaveLength(SCENARIOS.length * GUARD_SEEDS.length);
  });

  test('every scenario has exactly one row of expectations, and every row a scenario', () => {
    expect(EXPECTATIONS.map((e) => e.scenario).sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
  });

  test.each(EXPECTATIONS.map((e) => [e.scenario]))('%s meets its expectations', (name) => {
    const runs = result.runs.filter((r) => r.scenario === name);
    expect(runs).toHaveLength(GUARD_SEEDS.length);
    expect(allViolations({ runs })).toEqual([]);
  });
});

describe('the guard can fail', () => {
  test('a scorer that never flags fails the guard on every scenario expected to detect something', async () => {
    const failed = new Set(
      allViolations(await runSuite({ seeds: GUARD_SEEDS.slice(0, 1), scorer: noOpScorer })).map((v) =>
        v.split(':')[1].trim(),
      ),
    );
    const expected = EXPECTATIONS.filter((e) => (e.minDetected ?? 0) > 0).map((e) => e.scenario);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    expect([...failed].sort()).toEqual(expect.arrayContaining(expected.sort()));
  });

  test('a scorer that never lets an incident go fails the after-end bound of every scenario with one', async () => {
    const always: Scorer = (series) => ({
      ...noOpScorer(series, {}),
      score: series.values.map(() => 1.5),
      anomaly: series.values.map(() => true),
    });
    const v = allViolations(await runSuite({ seeds: GUARD_SEEDS.slice(0, 1), scorer: always }));
    // A lasting change whose row lifts the bound (its points after the label are still changed) is left out.
    const lifted = new Set(EXPECTATIONS.filter((e) => (e.maxAfterEnd ?? 0) >= 1).map((e) => e.scenario));
    expect([...lifted]).toEqual(['kpi_level_up_2sigma_lasting']);
    const withIncidents = SCENARIOS.filter((s) => s.kind !== 'clean' && !lifted.has(s.name)).map(
      (s) => s.name,
    );
    expect(withIncidents.length).toBeGreaterThanOrEqual(20);
    for (const name of withIncidents) expect(v.some((x) => x.includes(`${name}: after end 1 > `))).toBe(true);
  });

  test('a scorer whose band stays twice as wide after a burst fails the band/twin bound where it is set', async () => {
    // Band ±50; after a value over 2× the one before it, ±100 for the next 60 points. The twin has no such value.
    const widening: Scorer = (series) => {
      const width = series.values.map(() => 50);
      for (let i = 1; i < series.values.length; i++) {
        const [a, b] = [series.values[i - 1], series.values[i]];
        if (a !== null && b !== null && b > 2 * a) width.fill(100, i, i + 60);
      }
      const v = (i: number) => series.values[i] ?? NaN;
      return {
        ...noOpScorer(series, {}),
        lower: width.map((w, i) => v(i) - w),
        upper: width.map((w, i) => v(i) + w),
      };
    };
    const bounded = EXPECTATIONS.filter((e) => e.maxBandTwin !== undefined).map((e) => e.scenario);
    const v = allViolations(
      await runSuite({
        seeds: GUARD_SEEDS.slice(0, 1),
        scorer: widening,
        scenarios: SCENARIOS.filter((s) => bounded.includes(s.name)),
      }),
    );
    // Bursts, spikes and flap returns (2 % → 100 %) jump; the dip (50 %) only at its end.
    for (const name of ['repeated_bursts', 'spikes', 'flapping_outage'])
      expect(v.some((x) => x.includes(`${name}: band/twin`))).toBe(true);
  });

  test('a scorer that pages on noise fails the false-alarm bound of every scenario', async () => {
    const v = allViolations(await runSuite({ seeds: GUARD_SEEDS.slice(0, 1), scorer: chattyScorer }));
    for (const s of SCENARIOS) expect(v.some((x) => x.includes(`${s.name}: false episodes/day`))).toBe(true);
  });
});
