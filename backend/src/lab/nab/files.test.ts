/** Loading a NAB root from disk, results files round trip, and the per-file runner. */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNabCorpus } from './corpus.js';
import { NabError } from './errors.js';
import { readNabResults, writeNabResults } from './results.js';
import { runNab } from './runner.js';
import { parseNabTimestamp } from './timestamps.js';

let root: string;

/** 100 rows at 5-minute steps from 2014-04-01, NAB's timestamp format. */
function dataCsv(rows = 100): string {
  const lines = ['timestamp,value'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2014, 3, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${t},${i % 7}`);
  }
  return lines.join('\n') + '\n';
}

async function writeRoot(windows: Record<string, [string, string][]>): Promise<void> {
  await mkdir(join(root, 'data', 'artificialWithAnomaly'), { recursive: true });
  await mkdir(join(root, 'data', 'realTraffic'), { recursive: true });
  await mkdir(join(root, 'labels'), { recursive: true });
  await writeFile(join(root, 'data', 'artificialWithAnomaly', 'a.csv'), dataCsv());
  await writeFile(join(root, 'data', 'realTraffic', 'b.csv'), dataCsv());
  await writeFile(join(root, 'labels', 'combined_windows.json'), JSON.stringify(windows));
}

const GOOD_WINDOWS: Record<string, [string, string][]> = {
  // Rows 40–49 of a.csv (2014-04-01 03:20 … 04:05); b.csv has none.
  'artificialWithAnomaly/a.csv': [['2014-04-01 03:20:00.000000', '2014-04-01 04:05:00.000000']],
  'realTraffic/b.csv': [],
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'nab-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('NAB timestamps', () => {
  test('data and window timestamps are naive and read as UTC', () => {
    expect(parseNabTimestamp('2015-09-08 11:39:00')).toBe(Date.UTC(2015, 8, 8, 11, 39));
    expect(parseNabTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTimestamp('2016-02-29 00:00:00')).toBe(Date.UTC(2016, 1, 29));
  });

  test('impossible dates and other text are not timestamps', () => {
    expect(parseNabTimestamp('2015-02-29 00:00:00')).toBeNaN();
    expect(parseNabTimestamp('2015-04-31 00:00:00')).toBeNaN();
    expect(parseNabTimestamp('2015-09-08 24:00:00')).toBeNaN();
    expect(parseNabTimestamp('n/a')).toBeNaN();
  });
});

describe('loading a NAB root', () => {
  test('windows become row index ranges and files get their probationary length', async () => {
    await writeRoot(GOOD_WINDOWS);
    const corpus = await loadNabCorpus(root);
    expect(corpus.files.map((f) => f.relPath)).toEqual(['artificialWithAnomaly/a.csv', 'realTraffic/b.csv']);
    const [a] = corpus.files;
    expect(a.windows).toHaveLength(1);
    expect(a.windows[0]).toMatchObject({ startIndex: 40, endIndex: 49 });
    expect(a.probationLength).toBe(15);
    expect(a.timestampText[0]).toBe('2014-04-01 00:00:00');
    expect(a.timestamps[1] - a.timestamps[0]).toBe(300_000);
    expect(corpus.profiles.standard.fpWeight).toBe(0.11);
  });

  test('a window limit that is not a row timestamp is rejected', async () => {
    await writeRoot({
      ...GOOD_WINDOWS,
      'realTraffic/b.csv': [['2014-04-01 03:21:00.000000', '2014-04-01 04:05:00']],
    });
    await expect(loadNabCorpus(root)).rejects.toThrow(
      /realTraffic\/b.csv: window limit .* is not a timestamp/,
    );
  });

  test('a data file missing from the labels is rejected', async () => {
    await writeRoot({ 'artificialWithAnomaly/a.csv': [] });
    await expect(loadNabCorpus(root)).rejects.toThrow(NabError);
  });

  test('a folder that is not a NAB root is rejected', async () => {
    await expect(loadNabCorpus(root)).rejects.toThrow(/not a NAB root/);
  });
});

describe('NAB results files', () => {
  test('written results read back to the same scores, with NAB columns and labels', async () => {
    await writeRoot(GOOD_WINDOWS);
    const corpus = await loadNabCorpus(root);
    const scores = new Map(
      corpus.files.map((f) => [f.relPath, Float64Array.from(f.values, (v) => v / 7 + 1e-17)]),
    );
    const dir = await writeNabResults(join(root, 'out'), 'myDet', corpus, scores);
    expect(dir).toBe(join(root, 'out', 'myDet'));
    const text = await readFile(join(dir, 'artificialWithAnomaly', 'myDet_a.csv'), 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,label');
    expect(lines).toHaveLength(101);
    expect(lines[41]).toMatch(/^2014-04-01 03:20:00,\d,[\d.e-]+,1$/);
    expect(lines[40]).toMatch(/,0$/);
    const back = await readNabResults(join(root, 'out'), 'myDet', corpus);
    for (const f of corpus.files) expect(back.get(f.relPath)).toEqual(scores.get(f.relPath));
  });

  test('a missing results file is an error unless allowed', async () => {
    await writeRoot(GOOD_WINDOWS);
    const corpus = await loadNabCorpus(root);
    await expect(readNabResults(join(root, 'none'), 'x', corpus)).rejects.toThrow(/missing results file/);
    expect((await readNabResults(join(root, 'none'), 'x', corpus, { allowMissing: true })).size).toBe(0);
  });
});

describe('runNab', () => {
  test('runs a detector over every file, scores it and writes results and scores.json', async () => {
    await writeRoot(GOOD_WINDOWS);
    const seen: string[] = [];
    // An oracle that fires exactly at the first row of each window.
    const run = await runNab(
      root,
      (timestamps, _values, file) =>
        timestamps.map((_, i) => (file.windows.some((w) => w.startIndex === i) ? 1 : 0)),
      {
        detectorName: 'oracle',
        outDir: join(root, 'out'),
        onFileDone: (p) => seen.push(`${p.index}/${p.total}`),
      },
    );
    expect(seen).toEqual(['1/2', '2/2']);
    expect(run.filtered).toBe(false);
    expect(run.result.profiles.standard.score).toBeCloseTo(100, 9);
    const saved = JSON.parse(await readFile(join(root, 'out', 'oracle', 'scores.json'), 'utf8'));
    expect(saved.profiles.standard.score).toBeCloseTo(100, 9);
    expect(saved.files).toBe(2);
  });

  test('a --files filter runs only the matching files and says so', async () => {
    await writeRoot(GOOD_WINDOWS);
    const run = await runNab(root, (t) => new Float64Array(t.length), {
      detectorName: 'zero',
      files: 'Traffic',
    });
    expect(run.corpus.files.map((f) => f.relPath)).toEqual(['realTraffic/b.csv']);
    expect(run.filtered).toBe(true);
    expect(run.totalFiles).toBe(2);
  });

  test('anomaly scores outside [0, 1] are rejected with the file named', async () => {
    await writeRoot(GOOD_WINDOWS);
    await expect(runNab(root, (t) => t.map(() => 2), { detectorName: 'bad' })).rejects.toThrow(
      /anomaly score 2 .*artificialWithAnomaly\/a.csv/,
    );
  });
});
