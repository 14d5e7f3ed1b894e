/**
 * Labelled anomalous ranges from a file (`--labels`), in any of these forms:
 *
 * - CSV with a header `start,end` (one range per line; a single `timestamp` column: one point per line);
 * - JSON: `[{"start": …, "end": …}, …]` or `[[start, end], …]`;
 * - NAB's label files, keyed by data file: `labels/combined_windows.json` (ranges) or
 *   `labels/combined_labels.json` (points); the entry whose key ends with the CSV's file name is used.
 *
 * Times are ISO 8601 (NAB's "2014-02-19 10:50:00.000000" included), epoch seconds or milliseconds.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LabelRange } from '../contract/models.js';
import { CliError } from './errors.js';
import { EPOCH_SECONDS_LIMIT, parseIso8601 } from './timestamps.js';

function time(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.abs(v) < EPOCH_SECONDS_LIMIT ? v * 1000 : v;
  if (typeof v === 'string') {
    const text = v.trim();
    const n = Number(text);
    if (text !== '' && Number.isFinite(n)) return time(n, where);
    const t = parseIso8601(text);
    if (!Number.isNaN(t)) return t;
  }
  throw new CliError(
    `${where}: cannot read ${JSON.stringify(v)} as a time (ISO 8601 or epoch seconds/milliseconds)`,
  );
}

function range(start: unknown, end: unknown, where: string): LabelRange {
  const r = { start: time(start, where), end: time(end, where) };
  if (r.end < r.start) throw new CliError(`${where}: the range ends before it starts`);
  return r;
}

function fromJson(value: unknown, source: string, dataFile: string): LabelRange[] {
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      const where = `${source}: item ${i}`;
      if (Array.isArray(item) && item.length === 2) return range(item[0], item[1], where);
      if (item && typeof item === 'object' && 'start' in item && 'end' in item) {
        return range((item as LabelRange).start, (item as LabelRange).end, where);
      }
      if (typeof item === 'string' || typeof item === 'number') return range(item, item, where);
      throw new CliError(`${where}: expected {"start", "end"}, [start, end] or a single time`);
    });
  }
  if (value && typeof value === 'object') {
    const name = basename(dataFile);
    const key = Object.keys(value).find((k) => k === dataFile || basename(k) === name);
    if (key === undefined) {
      throw new CliError(
        `${source}: no labels for ${name} (keys are data file paths, as in NAB's label files)`,
      );
    }
    return fromJson((value as Record<string, unknown>)[key], `${source} [${key}]`, dataFile);
  }
  throw new CliError(`${source}: expected a JSON array of ranges or an object keyed by data file`);
}

function fromCsv(text: string, source: string): LabelRange[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const single = header.length === 1 && header[0] === 'timestamp';
  if (!single && (header[0] !== 'start' || header[1] !== 'end')) {
    throw new CliError(
      `${source}: expected a header "start,end" (or "timestamp"), got "${header.join(',')}"`,
    );
  }
  return lines.map((line, i) => {
    const cells = line.split(',');
    const where = `${source}: line ${i + 2}`;
    return single ? range(cells[0], cells[0], where) : range(cells[0], cells[1], where);
  });
}

export async function readLabels(path: string, dataFile: string): Promise<LabelRange[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(
      `cannot read labels file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new CliError(`${path}: not valid JSON (${(e as Error).message})`);
    }
    return fromJson(json, path, dataFile);
  }
  return fromCsv(text, path);
}

/** Per timestamp: inside any range (inclusive)? */
export function labelPoints(timestamps: readonly number[], ranges: readonly LabelRange[]): boolean[] {
  return timestamps.map((t) => ranges.some((r) => t >= r.start && t <= r.end));
}
