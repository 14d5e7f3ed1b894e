/**
 * Runs a detector over a NAB corpus file by file, scores it, and optionally writes NAB-format
 * results plus a scores.json next to them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { countPoints, filterNabCorpus, loadNabCorpus, type NabCorpus, type NabFile } from './corpus.js';
import { NabError } from './errors.js';
import { writeNabResults } from './results.js';
import { scoreNab, type NabScoreResult, type ScoreNabOptions } from './corpusScore.js';

/** Anomaly scores in [0, 1] for one file, one per row, computed causally. */
export type NabDetectorFn = (
  timestamps: number[],
  values: number[],
  file: NabFile,
) => ArrayLike<number> | Promise<ArrayLike<number>>;

export interface NabFileProgress {
  /** 1-based position of the file in the run. */
  index: number;
  total: number;
  file: NabFile;
  elapsedMs: number;
}

export interface RunNabOptions {
  detectorName: string;
  /** Write results to <outDir>/<detectorName>/… and scores to <outDir>/<detectorName>/scores.json. */
  outDir?: string;
  /** Only files whose relPath contains this substring (quick iteration; not a corpus score). */
  files?: string;
  threshold?: ScoreNabOptions['threshold'];
  onFileStart?: (p: Omit<NabFileProgress, 'elapsedMs'>) => void;
  onFileDone?: (p: NabFileProgress) => void;
  /** Extra fields recorded in scores.json (detector settings). */
  meta?: Record<string, unknown>;
}

export interface NabRunResult {
  detector: string;
  corpus: NabCorpus;
  /** True when --files selected a subset. */
  filtered: boolean;
  totalFiles: number;
  scoresByFile: Map<string, Float64Array>;
  result: NabScoreResult;
  elapsedMs: number;
  resultsDir?: string;
  scoresPath?: string;
}

export async function runNab(
  root: string | NabCorpus,
  detectorFn: NabDetectorFn,
  options: RunNabOptions,
): Promise<NabRunResult> {
  const started = performance.now();
  const full = typeof root === 'string' ? await loadNabCorpus(root) : root;
  const corpus = options.files === undefined ? full : filterNabCorpus(full, options.files);
  if (corpus.files.length === 0) throw new NabError(`no corpus file matches "${options.files}"`);

  const scoresByFile = new Map<string, Float64Array>();
  const total = corpus.files.length;
  for (const [k, file] of corpus.files.entries()) {
    options.onFileStart?.({ index: k + 1, total, file });
    const t0 = performance.now();
    const raw = await detectorFn(file.timestamps, file.values, file);
    scoresByFile.set(file.relPath, checkScores(raw, file, options.detectorName));
    options.onFileDone?.({ index: k + 1, total, file, elapsedMs: performance.now() - t0 });
    // Let timers (progress redraws, signals) run between files of a long synchronous run.
    await new Promise((resolve) => setImmediate(resolve));
  }

  const result = scoreNab(corpus, scoresByFile, { threshold: options.threshold });
  const run: NabRunResult = {
    detector: options.detectorName,
    corpus,
    filtered: corpus.files.length !== full.files.length,
    totalFiles: full.files.length,
    scoresByFile,
    result,
    elapsedMs: performance.now() - started,
  };
  if (options.outDir !== undefined) {
    run.resultsDir = await writeNabResults(options.outDir, options.detectorName, corpus, scoresByFile);
    await mkdir(run.resultsDir, { recursive: true });
    run.scoresPath = join(run.resultsDir, 'scores.json');
    await writeFile(run.scoresPath, JSON.stringify(scoresJson(run, options), null, 2) + '\n');
  }
  return run;
}

function checkScores(raw: ArrayLike<number>, file: NabFile, detector: string): Float64Array {
  if (raw.length !== file.timestamps.length) {
    throw new NabError(
      `${detector} returned ${raw.length} scores for ${file.relPath} (${file.timestamps.length} rows)`,
    );
  }
  const scores = Float64Array.from(raw);
  const bad = scores.findIndex((s) => !(s >= 0 && s <= 1));
  if (bad >= 0) {
    throw new NabError(
      `${detector} returned anomaly score ${scores[bad]} (row ${bad + 2} of ${file.relPath}); NAB needs [0, 1]`,
    );
  }
  return scores;
}

function scoresJson(run: NabRunResult, options: RunNabOptions) {
  return {
    nab: 'v1.1',
    detector: run.detector,
    ...options.meta,
    corpus: run.corpus.root,
    files: run.corpus.files.length,
    points: countPoints(run.corpus),
    filtered: run.filtered,
    ...(options.files !== undefined ? { filter: options.files } : {}),
    elapsedMs: Math.round(run.elapsedMs),
    profiles: run.result.profiles,
  };
}
