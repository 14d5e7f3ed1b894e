import { buildNabCorpus, buildNabFile, type NabFile } from './corpus.js';
import { crossTrain, crossTrainFolds } from './crossTrain.js';
import { runNab } from './runner.js';

/**
 * A 5-minute series with a daily-like period of 48 points and seeded noise; at each spike the level
 * jumps by 10 for 4 points, and the NAB window covers the spike and the 12 points after it.
 */
function file(relPath: string, seed: number, spikes: number[], n = 900): NabFile {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const t0 = Date.UTC(2024, 0, 1);
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * 300_000);
  const values = timestamps.map((_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 48) + 2 * rnd());
  for (const at of spikes) for (let i = at; i < at + 4; i++) values[i] += 10;
  const windows = spikes.map((at) => [timestamps[at], timestamps[at + 12]] as const);
  return buildNabFile({ relPath, timestamps, values, windows });
}

const FILES = [
  file('a/one.csv', 3, [300, 520, 760]),
  file('a/two.csv', 5, [250, 480, 700]),
  file('b/three.csv', 7, [330, 610, 820]),
  file('b/four.csv', 11, [280, 450, 690]),
];

describe('cross-trained classifier on NAB', () => {
  test('halves alternate over the sorted paths; both schemes score every file once, never on its own labels', () => {
    const halves = crossTrainFolds(FILES, 'halves');
    expect(halves.map((f) => f.score.map((x) => x.relPath))).toEqual([
      ['a/one.csv', 'b/four.csv'],
      ['a/two.csv', 'b/three.csv'],
    ]);
    for (const scheme of ['halves', 'categories'] as const) {
      const folds = crossTrainFolds(FILES, scheme);
      const scored = folds.flatMap((f) => f.score.map((x) => x.relPath)).sort();
      expect(scored).toEqual(FILES.map((f) => f.relPath).sort());
      for (const f of folds) {
        for (const x of f.score) expect(f.train).not.toContain(x);
        expect(f.train.length + f.score.length).toBe(FILES.length);
      }
    }
    expect(crossTrainFolds(FILES, 'categories').map((f) => f.name)).toEqual(['a', 'b']);
  });

  test('a level shift learnt on two files is found on the other two, causally', async () => {
    const lines: string[] = [];
    const trained = await crossTrain(
      FILES,
      'halves',
      { epochs: 30, batchSize: 64 },
      { onFoldStart: (f, i, n) => lines.push(`${i}/${n} ${f.name}`) },
    );
    expect(lines).toEqual(['1/2 A (trained on B)', '2/2 B (trained on A)']);
    expect(trained.folds.map((f) => [f.trainFiles, f.scored])).toEqual([
      [2, ['a/one.csv', 'b/four.csv']],
      [2, ['a/two.csv', 'b/three.csv']],
    ]);
    const run = await runNab(buildNabCorpus(FILES), trained.detector, { detectorName: 'classifier' });
    const m = trained.metrics();
    // Only the points after each file's probationary prefix (135 of 900 rows) are evaluated.
    expect(m.points).toBe(4 * (900 - 135));
    expect(m.segments).toBe(12);
    // Ranked well above every unlabelled point, and NAB finds the windows early.
    expect(m.rocAuc).toBeGreaterThan(0.9);
    expect(run.result.profiles.standard.score).toBeGreaterThan(80);
  }, 120_000);
});
