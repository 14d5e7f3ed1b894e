/** The CLI run in-process: argument and input errors, and the commands' output contracts. */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeriesScore } from '../contract/score.js';
import { SCORE_CSV_HEADER } from './format.js';
import { runCli } from './testing.js';
import { findScenario } from '../lab/scenarios/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trafficlens-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csvFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A regular one-minute series with a spike, with timestamps written by `stamp`. */
function seriesCsv(n: number, stamp: (ms: number) => string = (ms) => new Date(ms).toISOString()): string {
  const t0 = Date.UTC(2024, 0, 1);
  const rows = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    const v = 100 + 10 * Math.sin((2 * Math.PI * i) / 60) + ((i * 7919) % 13) / 13 + (i === n - 20 ? 80 : 0);
    rows.push(`${stamp(t0 + i * 60_000)},${v.toFixed(3)}`);
  }
  return rows.join('\n') + '\n';
}

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe('trafficlens usage errors', () => {
  test('a missing input file is reported by name with exit code 1', async () => {
    const r = await runCli(['score', join(dir, 'nope.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`trafficlens: cannot read ${join(dir, 'nope.csv')}: no such file`);
    noStack(r.stderr);
  });

  test('an unparseable timestamp is reported with its line', async () => {
    const file = await csvFile('bad-ts.csv', 'timestamp,value\n2024-01-01T00:00:00Z,1\nyesterday,2\n');
    const r = await runCli(['score', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 3: cannot parse timestamp "yesterday"');
    noStack(r.stderr);
  });

  test('a header without timestamp and value columns is rejected', async () => {
    const file = await csvFile('bad-header.csv', 'time,val\n2024-01-01T00:00:00Z,1\n');
    const r = await runCli(['score', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('expected a header line with columns "timestamp,value" (got "time,val")');
  });

  test('a headerless file is rejected as a wrong header', async () => {
    const file = await csvFile('no-header.csv', '2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,2\n');
    const r = await runCli(['score', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('expected a header line');
  });

  test('a non-numeric value is reported with its line', async () => {
    const file = await csvFile('bad-value.csv', 'timestamp,value\n1700000000,1\n1700000060,abc\n');
    const r = await runCli(['score', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 3: value "abc" is not a number');
  });

  test('a value that overflows a double (1e400) is refused with its line, not read as missing', async () => {
    const file = await csvFile('overflow.csv', 'timestamp,value\n1700000000,1\n1700000060,1e400\n');
    const r = await runCli(['score', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `trafficlens: ${file}: line 3: value 1e400 is too large for a double (at most ±1.8e308)`,
    ]);
  });

  test.each([
    ['1e20', '1e20\n1.1e20\n1.2e20'],
    ['-5', '-5\n55\n115'],
    ['2201-01-01T00:00:00Z', '2201-01-01T00:00:00Z\n2201-01-01T00:01:00Z'],
  ])('a timestamp outside 1970–2200 (%s) is refused with its line', async (first, column) => {
    const rows = column.split('\n').map((t, i) => `${t},${i}`);
    const file = await csvFile('far.csv', `timestamp,value\n${rows.join('\n')}\n`);
    const r = await runCli(['score', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `trafficlens: ${file}: line 2: timestamp ${first} is outside 1970-01-01 – 2200-01-01`,
    ]);
  });

  test('a malformed CSV row is reported as bad CSV', async () => {
    const file = await csvFile('ragged.csv', 'timestamp,value\n1700000000,1\n1700000060,2,3\n');
    const r = await runCli(['score', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad CSV');
  });

  test('a sensitivity outside 0–100 is a usage error', async () => {
    const file = await csvFile('ok.csv', seriesCsv(10));
    for (const s of ['150', '-1', 'high']) {
      const r = await runCli(['score', file, '--sensitivity', s]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('sensitivity must be a number from 0 to 100');
      noStack(r.stderr);
    }
  });

  test('an unknown detector is a usage error listing the detectors', async () => {
    const file = await csvFile('ok.csv', seriesCsv(10));
    const r = await runCli(['score', file, '--detector', 'magic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "argument 'magic' is invalid. Allowed choices are auto, robust, seasonal, kmeans, autoencoder, lstm, classifier.",
    );
  });

  test('an unknown output format is a usage error', async () => {
    const file = await csvFile('ok.csv', seriesCsv(10));
    const r = await runCli(['score', file, '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed choices are csv, json');
  });

  test('an unknown command is a usage error', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  test('no command prints the usage as a usage error', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: trafficlens');
  });

  test('--help prints usage and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: trafficlens');
    expect(r.stdout).toMatch(/score .*<file>/);
  });

  test('nab without --out is a usage error', async () => {
    const r = await runCli(['nab']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '-o, --out <dir>' not specified");
  });

  test('nab with a folder that is not a NAB root says so', async () => {
    const r = await runCli(['nab', '--data', dir, '--out', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a NAB root (no data/ folder)');
    noStack(r.stderr);
  });

  test('a --timezone that is no IANA zone is refused before anything is read', async () => {
    const r = await runCli(['score', join(dir, 'nope.csv'), '--timezone', 'CEST']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('"CEST" is not an IANA time zone such as Europe/Berlin or America/New_York.');
    noStack(r.stderr);
  });

  test('nab-score with a missing results folder says so', async () => {
    const r = await runCli(['nab-score', '--results', join(dir, 'none'), '--detector', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not exist');
  });
});

// These need the scoring engine (backend/src/engine).
describe('trafficlens score output', () => {
  test('csv output has the contract header and one row per input point', async () => {
    const file = await csvFile('series.csv', seriesCsv(300));
    const r = await runCli(['score', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(SCORE_CSV_HEADER);
    expect(lines).toHaveLength(301);
    const first = lines[1].split(',');
    expect(first).toHaveLength(9);
    expect(first[0]).toBe('2024-01-01T00:00:00.000Z');
    expect(['true', 'false']).toContain(first[6]);
    // 300 points are past the learning period, and a batch backfills its start: ok on every row.
    expect(new Set(lines.slice(1).map((l) => l.split(',')[8]))).toEqual(new Set(['ok']));
  });

  test('json output is a valid SeriesScore with one entry per input point', async () => {
    const file = await csvFile('series.csv', seriesCsv(300));
    const r = await runCli(['score', file, '--format', 'json', '--detector', 'robust', '--causal']);
    expect(r.code).toBe(0);
    const parsed = SeriesScore.parse(JSON.parse(r.stdout));
    expect(parsed.timestamps).toHaveLength(300);
    expect(parsed.model.causal).toBe(true);
    expect(parsed.score.every((s) => s >= 0)).toBe(true);
  });

  test('epoch-second and epoch-millisecond inputs give the same output as ISO input', async () => {
    const iso = await runCli(['score', await csvFile('iso.csv', seriesCsv(200))]);
    const sec = await runCli([
      'score',
      await csvFile(
        's.csv',
        seriesCsv(200, (ms) => String(ms / 1000)),
      ),
    ]);
    const msr = await runCli([
      'score',
      await csvFile(
        'ms.csv',
        seriesCsv(200, (ms) => String(ms)),
      ),
    ]);
    expect(iso.code).toBe(0);
    expect(sec.stdout).toBe(iso.stdout);
    expect(msr.stdout).toBe(iso.stdout);
  });
});

/** The input's rows of a CSV text, as [timestamp, value] cells. */
const inputCells = (text: string) =>
  text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
/** The output's rows as cells, without the header. */
const outputCells = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
const column = (rows: string[][], name: string) =>
  rows.map((r) => r[SCORE_CSV_HEADER.split(',').indexOf(name)]);

describe('trafficlens score rows: one output row per input row, at its timestamps', () => {
  const MIN = 60_000;
  const T0 = Date.UTC(2024, 0, 1);
  /** A one-minute series at `offsets` (in minutes) from T0, each shifted by `lateMs` for its index. */
  function rowsAt(minutes: number[], lateMs: (i: number) => number = () => 0): string {
    const lines = ['timestamp,value'];
    minutes.forEach((m, i) => {
      const v = 100 + 10 * Math.sin((2 * Math.PI * m) / 60) + ((m * 7919) % 13) / 13 + (m === 250 ? 80 : 0);
      lines.push(`${new Date(T0 + m * MIN + lateMs(i)).toISOString()},${v.toFixed(3)}`);
    });
    return lines.join('\n') + '\n';
  }
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  test('gaps add no rows: the output has the input rows, at their timestamps; --grid has the slots', async () => {
    // 300 minutes with three gaps (10 minutes, 1 minute, 5 minutes): 284 rows.
    const minutes = range(0, 300).filter(
      (m) => !(m >= 100 && m < 110) && m !== 200 && !(m >= 260 && m < 265),
    );
    const text = rowsAt(minutes);
    const file = await csvFile('gaps.csv', text);
    const r = await runCli(['score', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = outputCells(r.stdout);
    expect(out).toHaveLength(minutes.length);
    expect(column(out, 'timestamp')).toEqual(inputCells(text).map(([t]) => t));
    expect(column(out, 'value')).toEqual(inputCells(text).map(([, v]) => String(Number(v))));
    // The spike at minute 250 is flagged on its own row.
    const spike = column(out, 'timestamp').indexOf(new Date(T0 + 250 * MIN).toISOString());
    expect(column(out, 'anomaly')[spike]).toBe('true');

    const grid = outputCells((await runCli(['score', file, '--grid'])).stdout);
    expect(grid).toHaveLength(300);
    expect(column(grid, 'value').filter((v) => v === '')).toHaveLength(16);
  });

  test("a late first sample does not shift the others: every row keeps the input's own timestamp", async () => {
    // The first sample 7 s late; the grid (--grid) is anchored on it, the rows are not.
    const minutes = range(0, 300);
    const text = rowsAt(minutes, (i) => (i === 0 ? 7_000 : 0));
    const file = await csvFile('late.csv', text);
    const out = outputCells((await runCli(['score', file])).stdout);
    const stamps = column(out, 'timestamp');
    expect(stamps[0]).toBe('2024-01-01T00:00:07.000Z');
    expect(stamps.slice(1)).toEqual(minutes.slice(1).map((m) => new Date(T0 + m * MIN).toISOString()));

    const grid = column(outputCells((await runCli(['score', file, '--grid'])).stdout), 'timestamp');
    expect(grid[1]).toBe('2024-01-01T00:01:07.000Z');
  });

  test('unsorted and duplicated rows come out in the input order, one row each', async () => {
    const lines = rowsAt(range(0, 200)).trim().split('\n');
    const [header, ...rows] = lines;
    const shuffled = [...rows.slice(100), ...rows.slice(0, 100), rows[150]];
    const text = [header, ...shuffled].join('\n') + '\n';
    const out = outputCells((await runCli(['score', await csvFile('unsorted.csv', text)])).stdout);
    expect(column(out, 'timestamp')).toEqual(shuffled.map((l) => l.split(',')[0]));
  });

  test('json has the same rows as the csv, its episodes stamped with input timestamps', async () => {
    const minutes = range(0, 300).filter((m) => !(m >= 100 && m < 110));
    const file = await csvFile(
      'json.csv',
      rowsAt(minutes, (i) => (i === 0 ? 7_000 : 0)),
    );
    const csv = outputCells((await runCli(['score', file])).stdout);
    const json = SeriesScore.parse(JSON.parse((await runCli(['score', file, '--format', 'json'])).stdout));
    expect(json.timestamps.map((t) => new Date(t).toISOString())).toEqual(column(csv, 'timestamp'));
    expect(json.score.map(String)).toEqual(column(csv, 'score'));
    expect(json.episodes.length).toBeGreaterThan(0);
    const inputs = new Set(json.timestamps);
    for (const e of json.episodes) {
      for (const t of [e.start, e.end, e.peakTime]) expect(inputs.has(t)).toBe(true);
    }

    const grid = SeriesScore.parse(
      JSON.parse((await runCli(['score', file, '--format', 'json', '--grid'])).stdout),
    );
    expect(grid.timestamps).toHaveLength(300);
    expect(grid.timestamps[1] - grid.timestamps[0]).toBe(MIN);
  });
});

describe('trafficlens score --timezone', () => {
  test('traffic that keeps New York time: nothing flagged the morning its clocks go forward, with the zone', async () => {
    const s = findScenario('dst_start_new_york')!.generate(1);
    const text =
      'timestamp,value\n' +
      s.timestamps.map((t, i) => `${new Date(t).toISOString()},${s.values[i]}`).join('\n') +
      '\n';
    const file = await csvFile('new-york.csv', text);
    const change = Date.UTC(2024, 2, 10, 7);
    const flaggedAfter = async (args: string[]) => {
      const r = await runCli(['score', file, '--causal', ...args]);
      expect(r.code).toBe(0);
      const rows = outputCells(r.stdout);
      const times = column(rows, 'timestamp').map((t) => Date.parse(t));
      const anomaly = column(rows, 'anomaly');
      return times.filter((t, i) => t >= change && t < change + 12 * 3_600_000 && anomaly[i] === 'true')
        .length;
    };
    expect(await flaggedAfter(['--timezone', 'America/New_York'])).toBe(0);
    expect(await flaggedAfter([])).toBeGreaterThanOrEqual(4);
  }, 60_000);
});

describe('trafficlens score says on stderr what the scores cannot show', () => {
  test('a file shorter than the learning period: still learning, N points of M, state column learning', async () => {
    const file = await csvFile('short.csv', seriesCsv(40));
    const r = await runCli(['score', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `trafficlens: ${file}: the series is still learning: 40 points, detector auto needs 100 before it scores; every score is 0 (state "learning").\n`,
    );
    const out = outputCells(r.stdout);
    expect(out).toHaveLength(40);
    expect(new Set(column(out, 'state'))).toEqual(new Set(['learning']));
    expect(new Set(column(out, 'score'))).toEqual(new Set(['0']));
  });

  test('scored causally, the rows before the learning period is over say learning, then ok', async () => {
    const r = await runCli(['score', await csvFile('causal.csv', seriesCsv(300)), '--causal']);
    expect(r.stderr).toBe('');
    const states = column(outputCells(r.stdout), 'state');
    expect(states.slice(0, 100)).toEqual(new Array(100).fill('learning'));
    expect(new Set(states.slice(100))).toEqual(new Set(['ok']));
  });

  test('--detector lstm without --model says auto scored instead and how to train one; exit 0', async () => {
    const file = await csvFile('series.csv', seriesCsv(300));
    const lstm = await runCli(['score', file, '--detector', 'lstm']);
    expect(lstm.code).toBe(0);
    expect(lstm.stderr).toContain('--detector lstm needs a trained model and none was given (--model)');
    expect(lstm.stderr).toContain(`trafficlens train ${file} --detector lstm --out models`);
    expect(lstm.stderr).toContain('--model models/<id>');
    expect(lstm.stderr.trim().split('\n')).toHaveLength(1);
    const auto = await runCli(['score', file]);
    expect(auto.stderr).toBe('');
    // The same scores as auto, each row marked learning (the contract's state for a missing model).
    const strip = (s: string) => outputCells(s).map((r) => r.slice(0, 8).join(','));
    expect(strip(lstm.stdout)).toEqual(strip(auto.stdout));
    expect(new Set(column(outputCells(lstm.stdout), 'state'))).toEqual(new Set(['learning']));
  });
});

describe('trafficlens nab', () => {
  test('runs over a small NAB root, writes NAB results and scores.json, and prints the three profiles', async () => {
    const root = join(dir, 'nab');
    await mkdir(join(root, 'data', 'realTraffic'), { recursive: true });
    await mkdir(join(root, 'labels'), { recursive: true });
    const csv = seriesCsv(400, (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19));
    await writeFile(join(root, 'data', 'realTraffic', 'a.csv'), csv);
    await writeFile(join(root, 'data', 'realTraffic', 'b.csv'), csv);
    const w: [string, string] = ['2024-01-01 06:10:00.000000', '2024-01-01 06:30:00.000000'];
    await writeFile(
      join(root, 'labels', 'combined_windows.json'),
      JSON.stringify({ 'realTraffic/a.csv': [w], 'realTraffic/b.csv': [w] }),
    );
    const out = join(dir, 'out');
    const r = await runCli(['nab', '--data', root, '--detector', 'robust', '--out', out]);
    expect(r.stderr).toContain('[2/2] realTraffic/b.csv');
    expect(r.code).toBe(0);
    for (const profile of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'])
      expect(r.stdout).toContain(profile);
    const results = (await readFile(join(out, 'robust', 'realTraffic', 'robust_a.csv'), 'utf8'))
      .trim()
      .split('\n');
    expect(results[0]).toBe('timestamp,value,anomaly_score,label');
    expect(results).toHaveLength(401);
    const scores = JSON.parse(await readFile(join(out, 'robust', 'scores.json'), 'utf8'));
    expect(Object.keys(scores.profiles)).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
    expect(scores.profiles.standard.thresholdSource).toBe('optimised');
    // The evaluate metrics of the same scores, over the rows NAB scores (after 60 probationary rows).
    expect(r.stdout).toMatch(/precision \d\.\d{3}, recall \d\.\d{3}, F1 \d\.\d{3}, ROC-AUC \d\.\d{3}/);
    expect(scores.evaluate).toMatchObject({ points: 2 * (400 - 60), segments: 2, delay: 7 });
    // The two window counts are told apart: NAB's "windows hit" and the point-adjusted detections.
    expect(r.stdout).toMatch(
      /windows hit: NAB's labelled windows with at least one detection anywhere inside/,
    );
    expect(r.stdout).toMatch(
      /\d+\/2 windows detected\n {4}\(detected here: flagged, score >= 1, within a window's first k\+1 = 8 points; stricter than "windows hit"/,
    );

    const filtered = await runCli([
      'nab',
      '--data',
      root,
      '--detector',
      'robust',
      '--out',
      out,
      '--files',
      'b.csv',
    ]);
    expect(filtered.code).toBe(0);
    expect(filtered.stdout).toContain('selected 1 of 2 files; this is not a NAB corpus score');

    // The classifier only with cross-training, and cross-training only with the classifier.
    const bare = await runCli(['nab', '--data', root, '--detector', 'classifier', '--out', out]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('pass --cross-train halves (or categories)');
    const robust = await runCli(['nab', '--data', root, '--cross-train', 'halves', '--out', out]);
    expect(robust.code).toBe(2);
    expect(robust.stderr).toContain('--cross-train goes with --detector classifier');

    const crossed = await runCli([
      'nab',
      '--data',
      root,
      '--detector',
      'classifier',
      '--cross-train',
      'halves',
      '--out',
      out,
    ]);
    expect(crossed.code).toBe(0);
    expect(crossed.stderr).toContain('[fold 1/2] A (trained on B): training on 1 files, scoring 1');
    expect(crossed.stderr).toMatch(/\[fold B \(trained on A\)\] epoch 6\/6, loss /);
    expect(crossed.stdout).toContain('cross-trained: halves');
    expect(crossed.stdout).toMatch(/A \(trained on B\): 1 files, NAB/);
    expect(crossed.stdout).toMatch(/ROC-AUC \d\.\d{3}/);
    const meta = JSON.parse(await readFile(join(out, 'classifier', 'scores.json'), 'utf8'));
    expect(meta.folds.map((f: { scored: string[] }) => f.scored)).toEqual([
      ['realTraffic/a.csv'],
      ['realTraffic/b.csv'],
    ]);
    // Written after the last file: the metrics cover both files' scored rows (400 − 60 each).
    expect(meta.evaluate.points).toBe(2 * (400 - 60));
  }, 60_000);
});

const NAB_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/datasets/nab');
const describeCorpus = existsSync(join(NAB_ROOT, 'results', 'numenta')) ? describe : describe.skip;

describeCorpus('trafficlens nab-score', () => {
  test("reproduces NAB's published numenta scores from the shipped results", async () => {
    const r = await runCli([
      'nab-score',
      '--results',
      join(NAB_ROOT, 'results', 'numenta'),
      '--detector',
      'numenta',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/standard\s+70\.10\s+0\.5421876907348634/);
    expect(r.stdout).toMatch(/reward_low_FP_rate\s+63\.12/);
    expect(r.stdout).toMatch(/reward_low_FN_rate\s+74\.32/);
  });
});
