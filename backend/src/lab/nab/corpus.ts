/**
 * The NAB corpus: every data file with its timestamps, values, labelled anomaly windows (as row
 * index ranges) and probationary length, plus the scoring profiles.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { NAB_V11_PROFILES, loadNabProfiles, type NabProfiles } from './config.js';
import { columnIndex, readCsvFile } from './csv.js';
import { NabError } from './errors.js';
import { parseNabTimestamp } from './timestamps.js';

/** NAB ignores the first 15% of each file, capped at 15% of 5000 rows, while a detector warms up. */
export const NAB_PROBATION_PERCENT = 0.15;

export function nabProbationLength(rows: number, percent = NAB_PROBATION_PERCENT): number {
  // Same float arithmetic as NAB (floor of percent·rows, cap percent·5000), so the boundary row matches.
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

export interface NabWindow {
  /** Inclusive limits, epoch ms. */
  start: number;
  end: number;
  /** Row of the first occurrence of each limit's timestamp (NAB looks limits up by timestamp). */
  startIndex: number;
  endIndex: number;
}

export interface NabFile {
  /** NAB's key for the file, e.g. "realTraffic/speed_7578.csv" (always forward slashes). */
  relPath: string;
  category: string;
  /** File name, e.g. "speed_7578.csv". */
  name: string;
  /** Epoch ms; NAB's naive timestamps read as UTC. Row order as in the file (not always sorted). */
  timestamps: number[];
  /** Timestamps as written in the data file, so results files can repeat them verbatim. */
  timestampText: string[];
  values: number[];
  windows: NabWindow[];
  probationLength: number;
}

export interface NabCorpus {
  root: string | null;
  files: NabFile[];
  profiles: NabProfiles;
}

export interface NabFileInput {
  relPath: string;
  timestamps: number[];
  timestampText?: string[];
  values?: number[];
  /** Inclusive [start, end] limits in epoch ms; each must equal some row's timestamp. */
  windows?: ReadonlyArray<readonly [number, number]>;
}

/** Builds one corpus file, checking the windows the way NAB's scorer needs them. */
export function buildNabFile(input: NabFileInput): NabFile {
  const { relPath, timestamps } = input;
  const slash = relPath.lastIndexOf('/');
  const firstIndex = new Map<number, number>();
  timestamps.forEach((t, i) => {
    if (!firstIndex.has(t)) firstIndex.set(t, i);
  });
  const windows: NabWindow[] = [];
  for (const [start, end] of input.windows ?? []) {
    const startIndex = firstIndex.get(start);
    const endIndex = firstIndex.get(end);
    // NAB enters a window only on an exact timestamp match and finds its end the same way; a limit
    // that is not a row would make NAB silently skip this and every later window of the file.
    if (startIndex === undefined || endIndex === undefined) {
      const missing = startIndex === undefined ? start : end;
      throw new NabError(
        `${relPath}: window limit ${new Date(missing).toISOString()} is not a timestamp of the file`,
      );
    }
    const prev = windows[windows.length - 1];
    if (endIndex < startIndex || (prev && startIndex <= prev.endIndex)) {
      throw new NabError(`${relPath}: windows must be in time order and must not overlap`);
    }
    windows.push({ start, end, startIndex, endIndex });
  }
  return {
    relPath,
    category: slash >= 0 ? relPath.slice(0, slash) : '',
    name: slash >= 0 ? relPath.slice(slash + 1) : relPath,
    timestamps,
    timestampText: input.timestampText ?? timestamps.map((t) => new Date(t).toISOString()),
    values: input.values ?? timestamps.map(() => 0),
    windows,
    probationLength: nabProbationLength(timestamps.length),
  };
}

export function buildNabCorpus(files: NabFile[], profiles: NabProfiles = NAB_V11_PROFILES): NabCorpus {
  return { root: null, files: [...files].sort((a, b) => cmp(a.relPath, b.relPath)), profiles };
}

/** The files whose relPath contains `substring` (a quick-iteration subset, not a corpus score). */
export function filterNabCorpus(corpus: NabCorpus, substring: string): NabCorpus {
  return { ...corpus, files: corpus.files.filter((f) => f.relPath.includes(substring)) };
}

export function countWindows(corpus: NabCorpus): number {
  return corpus.files.reduce((n, f) => n + f.windows.length, 0);
}

export function countPoints(corpus: NabCorpus): number {
  return corpus.files.reduce((n, f) => n + f.timestamps.length, 0);
}

const WindowsFileSchema = z.record(z.string(), z.array(z.tuple([z.string(), z.string()])));

/**
 * Loads a NAB root: data/<category>/<file>.csv, labels/combined_windows.json and
 * config/profiles.json (NAB v1.1's profiles are used when that file is absent).
 */
export async function loadNabCorpus(root: string): Promise<NabCorpus> {
  const dataDir = join(root, 'data');
  if (!(await isDirectory(dataDir))) throw new NabError(`${root} is not a NAB root (no data/ folder)`);
  const windowsPath = join(root, 'labels', 'combined_windows.json');
  let windowsJson: unknown;
  try {
    windowsJson = JSON.parse(await readFile(windowsPath, 'utf8'));
  } catch (err) {
    throw new NabError(`cannot read ${windowsPath}: ${(err as Error).message}`);
  }
  const parsedWindows = WindowsFileSchema.safeParse(windowsJson);
  if (!parsedWindows.success) throw new NabError(`${windowsPath}: unexpected content`);
  const labels = parsedWindows.data;

  const profilesPath = join(root, 'config', 'profiles.json');
  const profiles = (await isFile(profilesPath)) ? await loadNabProfiles(profilesPath) : NAB_V11_PROFILES;

  const relPaths: string[] = [];
  for (const category of (await readdir(dataDir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const name of await readdir(join(dataDir, category.name))) {
      if (name.endsWith('.csv')) relPaths.push(`${category.name}/${name}`);
    }
  }
  relPaths.sort(cmp);
  const unlabelled = relPaths.filter((p) => !(p in labels));
  if (unlabelled.length > 0) throw new NabError(`${windowsPath}: no windows listed for ${unlabelled[0]}`);
  const missing = Object.keys(labels).filter((p) => !relPaths.includes(p));
  if (missing.length > 0) throw new NabError(`${dataDir}: labelled file ${missing[0]} is missing`);

  const files = await Promise.all(relPaths.map((relPath) => loadDataFile(dataDir, relPath, labels[relPath])));
  return { root, files, profiles };
}

async function loadDataFile(dataDir: string, relPath: string, limits: [string, string][]): Promise<NabFile> {
  const path = join(dataDir, relPath);
  const table = await readCsvFile(path);
  const ti = columnIndex(table, 'timestamp', path);
  const vi = columnIndex(table, 'value', path);
  const timestampText: string[] = new Array(table.rows.length);
  const timestamps: number[] = new Array(table.rows.length);
  const values: number[] = new Array(table.rows.length);
  table.rows.forEach((row, i) => {
    timestampText[i] = row[ti];
    timestamps[i] = parseNabTimestamp(row[ti] ?? '');
    values[i] = Number(row[vi]);
    if (Number.isNaN(timestamps[i])) throw new NabError(`${path}: row ${i + 2}: bad timestamp "${row[ti]}"`);
  });
  const windows = limits.map(([a, b]) => {
    const start = parseNabTimestamp(a);
    const end = parseNabTimestamp(b);
    if (Number.isNaN(start) || Number.isNaN(end))
      throw new NabError(`labels for ${relPath}: bad window [${a}, ${b}]`);
    return [start, end] as const;
  });
  return buildNabFile({ relPath, timestamps, timestampText, values, windows });
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
