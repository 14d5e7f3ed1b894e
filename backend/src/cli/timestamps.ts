/**
 * Timestamps of a user's CSV file: ISO 8601 or epoch numbers, detected once per file. Epoch numbers
 * below 1e11 are seconds (1e11 s is the year 5138; 1e11 ms is March 1973), larger ones milliseconds.
 */
import { EPOCH_MS_RANGE } from '../contract/score.js';
import { CliError } from './errors.js';

export type TimestampFormat = 'iso8601' | 'epoch_seconds' | 'epoch_milliseconds';

export const EPOCH_SECONDS_LIMIT = 1e11;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Date, optional time ("T" or a space), optional fraction, optional zone; no zone means UTC.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Epoch ms of an ISO 8601 timestamp, or NaN. */
export function parseIso8601(text: string): number {
  const m = ISO.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second) + ms;
  // Date.UTC rolls day 31 of a 30-day month over; reject that instead.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return Number.NaN;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    t -= sign * offsetMin * 60_000;
  }
  return t;
}

export interface ParsedTimestamps {
  timestamps: number[];
  format: TimestampFormat;
}

/**
 * Parses a timestamp column. `lines[i]` is the file line of `texts[i]`, for error messages.
 * The first row decides the format; every other row must use the same one.
 */
export function parseTimestampColumn(texts: string[], lines: number[], source: string): ParsedTimestamps {
  if (texts.length === 0) return { timestamps: [], format: 'iso8601' };
  const first = texts[0].trim();
  const format: TimestampFormat = NUMBER.test(first)
    ? Math.abs(Number(first)) < EPOCH_SECONDS_LIMIT
      ? 'epoch_seconds'
      : 'epoch_milliseconds'
    : 'iso8601';
  const timestamps = texts.map((raw, i) => {
    const t = parseOne(raw, format, `${source}: line ${lines[i]}`);
    // The API's range: beyond it a timestamp is a unit mistake, and 1e20 ms collapsed a whole file
    // onto one grid point.
    if (!(t >= EPOCH_MS_RANGE.min && t <= EPOCH_MS_RANGE.max)) {
      throw new CliError(
        `${source}: line ${lines[i]}: timestamp ${raw.trim()} is outside 1970-01-01 – 2200-01-01`,
      );
    }
    return t;
  });
  return { timestamps, format };
}

/** One timestamp in the file's format, epoch ms. */
function parseOne(raw: string, format: TimestampFormat, where: string): number {
  const text = raw.trim();
  if (format === 'iso8601') {
    const t = parseIso8601(text);
    if (Number.isNaN(t)) {
      throw new CliError(
        `${where}: cannot parse timestamp "${raw}" (expected ISO 8601 like 2024-05-01T12:00:00Z, epoch seconds or epoch milliseconds, the same for the whole file)`,
      );
    }
    return t;
  }
  if (!NUMBER.test(text)) {
    throw new CliError(
      `${where}: timestamp "${raw}" is not a number, but the file starts with epoch timestamps`,
    );
  }
  const n = Number(text);
  const seconds = Math.abs(n) < EPOCH_SECONDS_LIMIT;
  if (seconds !== (format === 'epoch_seconds')) {
    throw new CliError(
      `${where}: timestamp ${text} looks like epoch ${seconds ? 'seconds' : 'milliseconds'}, but the file starts with epoch ${format === 'epoch_seconds' ? 'seconds' : 'milliseconds'}`,
    );
  }
  return seconds ? Math.round(n * 1000) : n;
}
