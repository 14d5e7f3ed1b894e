import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './testing.js';

describe('trafficlens train and evaluate', () => {
  let dir = '';
  const csv = () => join(dir, 'link.csv');
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tl-cli-train-'));
    const t0 = Date.UTC(2024, 0, 1) / 1000;
    const rows = Array.from({ length: 400 }, (_, i) => {
      const v =
        100 + 10 * Math.sin((2 * Math.PI * i) / 24) + ((i * 37) % 7) / 7 + (i >= 300 && i < 305 ? 80 : 0);
      return `${t0 + i * 300},${v}`;
    });
    await writeFile(csv(), `timestamp,value\n${rows.join('\n')}\n`);
    await writeFile(join(dir, 'labels.csv'), `start,end\n${t0 + 300 * 300},${t0 + 304 * 300}\n`);
    await writeFile(
      join(dir, 'windows.json'),
      JSON.stringify({
        'realX/link.csv': [
          [new Date((t0 + 300 * 300) * 1000).toISOString(), new Date((t0 + 304 * 300) * 1000).toISOString()],
        ],
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('train writes a model version the evaluate command scores with', async () => {
    const out = join(dir, 'models');
    const r = await runCli([
      'train',
      csv(),
      '--detector',
      'autoencoder',
      '--out',
      out,
      '--epochs',
      '3',
      '--window',
      '12',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trained link v1 \(autoencoder\) on 400 points \(389 windows, window 12[,)]/);
    expect(await readdir(join(out, 'link', 'v1'))).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    const again = await runCli([
      'train',
      csv(),
      '--detector',
      'autoencoder',
      '--out',
      out,
      '--epochs',
      '1',
      '--window',
      '12',
    ]);
    expect(again.stdout).toMatch(/^trained link v2 /);

    const e = await runCli([
      'evaluate',
      csv(),
      '--labels',
      join(dir, 'labels.csv'),
      '--model',
      join(out, 'link'),
      '--format',
      'json',
    ]);
    expect(e.code).toBe(0);
    const m = JSON.parse(e.stdout);
    expect(m).toMatchObject({
      detector: 'autoencoder',
      model: 'link v2',
      labelled: 5,
      segments: 1,
      delay: 7,
    });
    expect(m.segmentsDetected).toBe(1);
    expect(m.rocAuc).toBeGreaterThan(0.9);

    const scored = await runCli(['score', csv(), '--model', join(out, 'link', 'v1'), '--format', 'json']);
    expect(scored.code).toBe(0);
    expect(JSON.parse(scored.stdout).model).toMatchObject({
      detector: 'autoencoder',
      trained: { id: 'link', version: 1, state: 'ready' },
    });
  }, 30_000);

  test('evaluate reads NAB-style label files and prints the metrics', async () => {
    const r = await runCli([
      'evaluate',
      csv(),
      '--labels',
      join(dir, 'windows.json'),
      '--detector',
      'robust',
      '--delay',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('400 points, 5 labelled in 1 segment(s); detector robust');
    expect(r.stdout).toMatch(/point-adjusted \(delay k=2\): F1 \d\.\d{3}/);
    expect(r.stdout).toMatch(/ROC-AUC +[01]\.\d{3}/);
  });

  test('the classifier without labels, and a bad delay, get one-line messages', async () => {
    const r = await runCli(['train', csv(), '--detector', 'classifier', '--out', join(dir, 'm2')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'trafficlens: training link failed: classifier needs labels with both classes: 0 of 369 training windows are labelled anomalous (no labels given: pass labelled anomalous ranges)\n',
    );
    const d = await runCli(['evaluate', csv(), '--labels', join(dir, 'labels.csv'), '--delay', '-1']);
    expect(d.code).toBe(2);
  });
});
