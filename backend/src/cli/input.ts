/** Reading a user's series CSV: a header with timestamp and value columns, one point per line. */
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { CliError } from './errors.js';
import { parseTimestampColumn, type TimestampFormat } from './timestamps.js';

export interface CsvSeries {
  timestamps: number[];
  /** null for an empty, "null" or "NaN" cell: a missing point, not zero. */
  values: (number | null)[];
  timestampFormat: TimestampFormat;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING = /^(?:|null|nan|NaN|NULL|NA)$/;

export async function readSeriesCsv(path: string): Promise<CsvSeries> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new CliError(`cannot read ${path}: no such file`);
  if (!info.isFile()) throw new CliError(`cannot read ${path}: not a file`);
  return parseSeriesCsv(await readFile(path, 'utf8'), path);
}

export function parseSeriesCsv(text: string, source: string): CsvSeries {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With info: true each record comes as { record, info }; the typings only model plain records.
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof records;
  } catch (err) {
    throw new CliError(`${source}: bad CSV: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new CliError(`${source}: the file is empty`);
  const header = records[0].record.map((h) => h.toLowerCase());
  const ti = header.indexOf('timestamp');
  const vi = header.indexOf('value');
  if (ti < 0 || vi < 0) {
    throw new CliError(
      `${source}: expected a header line with columns "timestamp,value" (got "${records[0].record.join(',')}")`,
    );
  }
  const rows = records.slice(1);
  if (rows.length === 0) throw new CliError(`${source}: no data rows after the header`);
  const lines = rows.map((r) => r.info.lines);
  const { timestamps, format } = parseTimestampColumn(
    rows.map((r) => r.record[ti]),
    lines,
    source,
  );
  const values = rows.map(({ record }, i) => parseValueCell(record[vi], lines[i], source));
  return { timestamps, values, timestampFormat: format };
}

/**
 * One value cell of a series CSV: null when missing, else a finite number; a CliError naming the line
 * otherwise. Shared by the in-memory reader and the streaming one (csvRows.ts), so both refuse the same.
 */
export function parseValueCell(cell: string, line: number, source: string): number | null {
  if (MISSING.test(cell)) return null;
  if (!NUMBER.test(cell)) throw new CliError(`${source}: line ${line}: value "${cell}" is not a number`);
  const value = Number(cell);
  // 1e400 reads as Infinity, which the engine would count as a missing point; the API refuses it too.
  if (!Number.isFinite(value)) {
    throw new CliError(`${source}: line ${line}: value ${cell} is too large for a double (at most ±1.8e308)`);
  }
  return value;
}
