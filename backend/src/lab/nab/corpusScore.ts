/**
 * Scoring a detector's anomaly scores on a NAB corpus under every profile: at given thresholds, or
 * at the corpus-optimal threshold per profile when none is given.
 */
import type { NabProfiles } from './config.js';
import { countPoints, countWindows, type NabCorpus } from './corpus.js';
import { NabError } from './errors.js';
import { normalizeNabScore, nullRaw, perfectRaw } from './normalize.js';
import { optimizeThreshold } from './optimizer.js';
import { addTally, emptyTally, scoreFileAtThreshold, type NabTally } from './fileScore.js';
import { sweepFile, weightSweep, type FileSweep } from './sweeper.js';

/** Anomaly scores per corpus file, keyed by relPath ("realTraffic/speed_7578.csv"), one per row. */
export type NabScoresByFile =
  ReadonlyMap<string, ArrayLike<number>> | Readonly<Record<string, ArrayLike<number>>>;

export interface ScoreNabOptions {
  /** One threshold for every profile, or per profile; profiles without one are optimised. */
  threshold?: number | Readonly<Record<string, number | undefined>>;
  /** Defaults to the corpus's profiles. */
  profiles?: NabProfiles;
}

export interface NabProfileScore extends NabTally {
  profile: string;
  /** Normalized 0–100 (null detector 0, perfect 100); null when the scored files have no windows. */
  score: number | null;
  threshold: number;
  thresholdSource: 'given' | 'optimised';
  nullRaw: number;
  perfectRaw: number;
}

export interface NabScoreResult {
  files: number;
  points: number;
  windows: number;
  profiles: Record<string, NabProfileScore>;
}

export function getFileScores(scoresByFile: NabScoresByFile, relPath: string): ArrayLike<number> | undefined {
  return scoresByFile instanceof Map
    ? scoresByFile.get(relPath)
    : (scoresByFile as Readonly<Record<string, ArrayLike<number>>>)[relPath];
}

export function scoreNab(
  corpus: NabCorpus,
  scoresByFile: NabScoresByFile,
  options: ScoreNabOptions = {},
): NabScoreResult {
  const profiles = options.profiles ?? corpus.profiles;
  const sweeps: FileSweep[] = corpus.files.map(sweepFile);
  const scores = corpus.files.map((file) => {
    const s = getFileScores(scoresByFile, file.relPath);
    if (!s) throw new NabError(`no anomaly scores for ${file.relPath}`);
    if (s.length !== file.timestamps.length) {
      throw new NabError(`${file.relPath}: ${s.length} anomaly scores for ${file.timestamps.length} rows`);
    }
    return s;
  });

  const result: NabScoreResult = {
    files: corpus.files.length,
    points: countPoints(corpus),
    windows: countWindows(corpus),
    profiles: {},
  };
  for (const [profile, cost] of Object.entries(profiles)) {
    const weights = sweeps.map((s) => weightSweep(s, cost));
    const given = typeof options.threshold === 'number' ? options.threshold : options.threshold?.[profile];
    const threshold = given ?? optimizeThreshold(sweeps, weights, scores, cost.fnWeight).threshold;
    const tally = emptyTally();
    sweeps.forEach((s, f) =>
      addTally(tally, scoreFileAtThreshold(s, weights[f], scores[f], cost.fnWeight, threshold)),
    );
    const base = nullRaw(sweeps, cost);
    const perfect = perfectRaw(sweeps, cost);
    result.profiles[profile] = {
      profile,
      score: normalizeNabScore(tally.raw, base, perfect),
      threshold,
      thresholdSource: given === undefined ? 'optimised' : 'given',
      ...tally,
      nullRaw: base,
      perfectRaw: perfect,
    };
  }
  return result;
}
