/** The CLI run in-process: argument and input errors, and the commands' output contracts. */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeriesScore } from '../contract/score.js';
import { SCORE_CSV_HEADER } from './format.js';
import { runCli } from './testing.js';

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
    expect(first).toHaveLength(8);
    expect(first[0]).toBe('2024-01-01T00:00:00.000Z');
    expect(['true', 'false']).toContain(first[6]);
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
