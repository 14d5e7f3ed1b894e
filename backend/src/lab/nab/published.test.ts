/**
 * The scorer against NAB's own published numbers: the shipped raw results of three detectors, scored
 * at the thresholds in config/thresholds.json, must give published_final_results.json.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNabFinalResults, loadNabThresholds, NAB_PROFILE_NAMES } from './config.js';
import { loadNabCorpus, type NabCorpus } from './corpus.js';
import { readNabResults } from './results.js';
import { scoreNab } from './corpusScore.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const NAB_ROOT = resolve(here, '../../../../../shared/datasets/nab');
const DETECTORS = ['numenta', 'windowedGaussian', 'twitterADVec'] as const;

const describeCorpus = existsSync(join(NAB_ROOT, 'data')) ? describe : describe.skip;

describeCorpus('NAB v1.1 scorer on the published detector results', () => {
  let corpus: NabCorpus;
  const cache = new Map<string, Promise<Map<string, Float64Array>>>();
  const results = (detector: string) => {
    if (!cache.has(detector))
      cache.set(detector, readNabResults(join(NAB_ROOT, 'results'), detector, corpus));
    return cache.get(detector)!;
  };
  beforeAll(async () => {
    corpus = await loadNabCorpus(NAB_ROOT);
  });

  test('the corpus has 58 files and 116 labelled windows', () => {
    expect(corpus.files).toHaveLength(58);
    expect(corpus.files.reduce((n, f) => n + f.windows.length, 0)).toBe(116);
  });

  test.each(DETECTORS)(
    '%s at its published thresholds reproduces published_final_results.json within 0.01',
    async (detector) => {
      const thresholds = await loadNabThresholds(join(NAB_ROOT, 'config', 'thresholds.json'));
      const published = await loadNabFinalResults(join(NAB_ROOT, 'config', 'published_final_results.json'));
      const scores = await results(detector);
      const perProfile = Object.fromEntries(
        NAB_PROFILE_NAMES.map((p) => [p, thresholds[detector][p].threshold]),
      );
      const result = scoreNab(corpus, scores, { threshold: perProfile });
      for (const profile of NAB_PROFILE_NAMES) {
        const got = result.profiles[profile];
        expect(got.thresholdSource).toBe('given');
        expect(Math.abs((got.score ?? NaN) - published[detector][profile])).toBeLessThan(0.01);
      }
    },
  );

  test('numenta standard is 70.10 and windowedGaussian standard is 39.65', async () => {
    const numenta = scoreNab(corpus, await results('numenta'), {
      threshold: 0.5421876907348634,
    });
    const gaussian = scoreNab(corpus, await results('windowedGaussian'), {
      threshold: 1.0,
    });
    expect(numenta.profiles.standard.score?.toFixed(2)).toBe('70.10');
    expect(gaussian.profiles.standard.score?.toFixed(2)).toBe('39.65');
  });

  test('the exact optimiser finds a threshold at least as good as the published one for numenta', async () => {
    const thresholds = await loadNabThresholds(join(NAB_ROOT, 'config', 'thresholds.json'));
    const scores = await results('numenta');
    const optimised = scoreNab(corpus, scores);
    const atPublished = scoreNab(corpus, scores, {
      threshold: Object.fromEntries(NAB_PROFILE_NAMES.map((p) => [p, thresholds.numenta[p].threshold])),
    });
    for (const profile of NAB_PROFILE_NAMES) {
      expect(optimised.profiles[profile].thresholdSource).toBe('optimised');
      expect(optimised.profiles[profile].raw).toBeGreaterThanOrEqual(
        atPublished.profiles[profile].raw - 1e-9,
      );
      // thresholds.json also records NAB's raw corpus score at the published threshold.
      expect(optimised.profiles[profile].raw).toBeGreaterThanOrEqual(
        thresholds.numenta[profile].score - 1e-9,
      );
    }
  });
});
