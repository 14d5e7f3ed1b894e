/**
 * Band ⇔ flag in what `trafficlens score` prints (issue 11, item 1): every row, CSV or JSON, one per
 * input row or the scored grid (--grid), causal or not, is anomalous exactly when its `value` (what was
 * scored: a slot's mean when several rows share it) lies outside [lower, upper], with the direction of
 * its side of expected (calibration/testing/bandRule.ts). Inputs have irregular timestamps, rows that
 * share a grid slot, gaps and missing values; and NAB's speed_7578.csv, where the bug was reported.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { STATISTICAL_DETECTORS, SeriesScore } from '../contract/score.js';
import {
  assertBandRule,
  bandSeries,
  spikySeries,
  STEP,
  type BandColumns,
} from '../calibration/testing/bandRule.js';
import { SCORE_CSV_HEADER } from './format.js';
import { runCli } from './testing.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trafficlens-band-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The printed rows as columns; an empty cell is null. */
function parseScoreCsv(text: string): BandColumns {
  const [header, ...lines] = text.trimEnd().split('\n');
  expect(header).toBe(SCORE_CSV_HEADER);
  const num = (cell: string) => (cell === '' ? null : Number(cell));
  const rows = lines.map((l) => l.split(','));
  return {
    timestamps: rows.map((r) => Date.parse(r[0])),
    values: rows.map((r) => num(r[1])),
    score: rows.map((r) => Number(r[2])),
    expected: rows.map((r) => num(r[3])),
    lower: rows.map((r) => num(r[4])),
    upper: rows.map((r) => num(r[5])),
    anomaly: rows.map((r) => r[6] === 'true'),
    direction: rows.map((r) => (r[7] === '' ? null : (r[7] as 'up' | 'down'))),
  };
}

/** Run `trafficlens score` and check the rule on every row it prints; the number of anomalous rows. */
async function scoreAndCheck(file: string, args: string[]): Promise<number> {
  const r = await runCli(['score', file, ...args]);
  if (r.code !== 0) throw new Error(`trafficlens score ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  const json = args.includes('json');
  const rows = json ? SeriesScore.parse(JSON.parse(r.stdout)) : parseScoreCsv(r.stdout);
  return assertBandRule(rows, `score ${args.join(' ')}`);
}

/**
 * A user's CSV from a grid series: per grid point 0 to 3 rows (none: an irregular gap; several: rows that
 * share the slot, with different values), each off the grid by up to a third of a step, as ISO 8601 or
 * epoch milliseconds; a missing value is an empty cell. Printing a row's own value instead of its slot's
 * (the reported bug) breaks the rule on these.
 */
const userCsv = fc
  .record({
    series: bandSeries({ maxLength: 400 }),
    seed: fc.integer(),
    iso: fc.boolean(),
    shared: fc.double({ min: 0, max: 0.5, noNaN: true }),
  })
  .map(({ series, seed, iso, shared }) => {
    let s = seed >>> 0 || 1;
    const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const lines = ['timestamp,value'];
    series.timestamps.forEach((t, i) => {
      const v = series.values[i];
      const u = rand();
      const rows = u < 0.05 ? 0 : u < 1 - shared ? 1 : rand() < 0.5 ? 2 : 3;
      const stamps = Array.from({ length: rows }, () => Math.round(t + (rand() - 0.5) * (STEP / 1.5)));
      for (const ts of stamps.sort((a, b) => a - b)) {
        // Mostly close to the grid's value; now and then far off, so a slot's mean is not any of its rows.
        const spread = rand() < 0.2 ? 4 * rand() : 1 + 0.2 * (rand() - 0.5);
        const value = v === null ? '' : String(v * spread);
        lines.push(`${iso ? new Date(ts).toISOString() : ts},${value}`);
      }
    });
    return lines.join('\n') + '\n';
  });

const spiky = spikySeries(300);
const spikyCsv =
  ['timestamp,value', ...spiky.timestamps.map((t, i) => `${t},${spiky.values[i]}`)].join('\n') + '\n';

describe('trafficlens score: band and flag agree on every printed row', () => {
  let files = 0;

  it.each(STATISTICAL_DETECTORS)(
    '%s: csv and json, input rows and --grid, causal and not',
    async (detector) => {
      let flagged = 0;
      await fc.assert(
        fc.asyncProperty(
          userCsv,
          fc.constantFrom('csv', 'json'),
          fc.boolean(),
          fc.boolean(),
          fc.integer({ min: 0, max: 100 }),
          async (csv, format, grid, causal, sensitivity) => {
            const file = join(dir, `series-${files++}.csv`);
            await writeFile(file, csv);
            const args = ['--detector', detector, '--sensitivity', String(sensitivity), '--format', format];
            if (grid) args.push('--grid');
            if (causal) args.push('--causal');
            flagged += await scoreAndCheck(file, args);
          },
        ),
        { numRuns: 20, examples: [[spikyCsv, 'csv', false, false, 50]] },
      );
      expect(flagged).toBeGreaterThan(0);
    },
  );
});

const NAB_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/datasets/nab');
const SPEED_7578 = join(NAB_ROOT, 'data', 'realTraffic', 'speed_7578.csv');
const describeNab = existsSync(SPEED_7578) ? describe : describe.skip;

describeNab('trafficlens score realTraffic/speed_7578.csv (the reported file)', () => {
  const variants = STATISTICAL_DETECTORS.flatMap((detector) =>
    [false, true].flatMap((grid) => [false, true].map((causal) => ({ detector, grid, causal }))),
  );

  it.each(variants)(
    '$detector, grid $grid, causal $causal: csv and json',
    async ({ detector, grid, causal }) => {
      const args = ['--detector', detector, ...(grid ? ['--grid'] : []), ...(causal ? ['--causal'] : [])];
      const csv = await scoreAndCheck(SPEED_7578, args);
      const json = await scoreAndCheck(SPEED_7578, [...args, '--format', 'json']);
      expect(json).toBe(csv);
      expect(csv).toBeGreaterThan(0);
    },
  );
});
