/**
 * NAB results folders: <root>/<detector>/<category>/<detector>_<file>.csv with the columns
 * timestamp,value,anomaly_score,label, as NAB's detectors write them. Rows follow the data file
 * one for one; NAB pairs them by position.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NabCorpus, NabFile } from './corpus.js';
import { columnIndex, readCsvFile } from './csv.js';
import { NabError } from './errors.js';
import { getFileScores, type NabScoresByFile } from './corpusScore.js';
import { parseNabTimestamp } from './timestamps.js';

export function nabResultsPath(resultsRoot: string, detector: string, file: NabFile): string {
  return nabDetectorFilePath(join(resultsRoot, detector), detector, file);
}

/** A results file inside one detector's folder: <detectorDir>/<category>/<detector>_<file>. */
export function nabDetectorFilePath(detectorDir: string, detector: string, file: NabFile): string {
  return join(detectorDir, file.category, `${detector}_${file.name}`);
}

/** NAB's label column: 1 for rows whose timestamp lies inside a window (by time, like NAB's labeler). */
export function nabLabels(file: NabFile): Uint8Array {
  const labels = new Uint8Array(file.timestamps.length);
  file.timestamps.forEach((t, i) => {
    if (file.windows.some((w) => t >= w.start && t <= w.end)) labels[i] = 1;
  });
  return labels;
}

export function formatNabResultsCsv(file: NabFile, scores: ArrayLike<number>): string {
  const labels = nabLabels(file);
  const lines = ['timestamp,value,anomaly_score,label'];
  for (let i = 0; i < file.timestamps.length; i++) {
    // String(number) round-trips exactly, so reading the file back gives the same scores.
    lines.push(`${file.timestampText[i]},${file.values[i]},${scores[i]},${labels[i]}`);
  }
  return lines.join('\n') + '\n';
}

/** Writes one results file per corpus file; returns the detector's results folder. */
export async function writeNabResults(
  outDir: string,
  detectorName: string,
  corpus: NabCorpus,
  scoresByFile: NabScoresByFile,
): Promise<string> {
  checkDetectorName(detectorName);
  for (const file of corpus.files) {
    const scores = getFileScores(scoresByFile, file.relPath);
    if (!scores) throw new NabError(`no anomaly scores for ${file.relPath}`);
    if (scores.length !== file.timestamps.length) {
      throw new NabError(
        `${file.relPath}: ${scores.length} anomaly scores for ${file.timestamps.length} rows`,
      );
    }
    const path = nabResultsPath(outDir, detectorName, file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, formatNabResultsCsv(file, scores));
  }
  return join(outDir, detectorName);
}

export interface ReadNabResultsOptions {
  /** Skip corpus files without a results file instead of failing (for partial runs). */
  allowMissing?: boolean;
}

/** Reads <resultsRoot>/<detector>/…: relPath → anomaly scores. */
export function readNabResults(
  resultsRoot: string,
  detectorName: string,
  corpus: NabCorpus,
  options: ReadNabResultsOptions = {},
): Promise<Map<string, Float64Array>> {
  return readNabDetectorDir(join(resultsRoot, detectorName), detectorName, corpus, options);
}

/** Reads one detector's folder (<detectorDir>/<category>/<detector>_<file>.csv): relPath → anomaly scores. */
export async function readNabDetectorDir(
  detectorDir: string,
  detectorName: string,
  corpus: NabCorpus,
  options: ReadNabResultsOptions = {},
): Promise<Map<string, Float64Array>> {
  checkDetectorName(detectorName);
  const out = new Map<string, Float64Array>();
  for (const file of corpus.files) {
    const path = nabDetectorFilePath(detectorDir, detectorName, file);
    const exists = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) {
      if (options.allowMissing) continue;
      throw new NabError(`missing results file ${path}`);
    }
    out.set(file.relPath, await readResultsFile(path, file));
  }
  return out;
}

async function readResultsFile(path: string, file: NabFile): Promise<Float64Array> {
  const table = await readCsvFile(path);
  const si = columnIndex(table, 'anomaly_score', path);
  const ti = table.header.indexOf('timestamp');
  if (table.rows.length !== file.timestamps.length) {
    throw new NabError(
      `${path}: ${table.rows.length} rows, but ${file.relPath} has ${file.timestamps.length}`,
    );
  }
  const scores = new Float64Array(table.rows.length);
  table.rows.forEach((row, i) => {
    const text = row[si]?.trim() ?? '';
    scores[i] = text === '' ? Number.NaN : Number(text);
    if (Number.isNaN(scores[i]) && !/^nan$/i.test(text)) {
      throw new NabError(`${path}: row ${i + 2}: anomaly_score "${row[si]}" is not a number`);
    }
    // Rows are paired by position; a timestamp that disagrees means the file belongs elsewhere.
    // (Identical text is the usual case and needs no parsing.)
    if (
      ti >= 0 &&
      row[ti] !== file.timestampText[i] &&
      parseNabTimestamp(row[ti] ?? '') !== file.timestamps[i]
    ) {
      throw new NabError(`${path}: row ${i + 2}: timestamp ${row[ti]} does not match ${file.relPath}`);
    }
  });
  return scores;
}

function checkDetectorName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(name)) {
    // NAB splits result file names on "_", so a detector name must not contain one (nor path parts).
    throw new NabError(`detector name "${name}" must be letters, digits, "." or "-"`);
  }
}
