/**
 * A series CSV read as a stream of row batches, for files too large to hold: the same header check,
 * timestamp parsing (cli/timestamps.ts, the first data row fixing the format for the whole file) and
 * value rules as readSeriesCsv, with the same messages, in memory bounded by one batch.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { CliError } from './errors.js';
import { parseTimestampColumn } from './timestamps.js';
import { parseValueCell } from './input.js';

export interface CsvRow {
  /** Epoch ms. */
  t: number;
  /** null for a missing value (empty, null, NaN, NA). */
  v: number | null;
}

/** The file's size, or the CliError readSeriesCsv gives for a missing file or a folder. */
export async function fileSize(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new CliError(`cannot read ${path}: no such file`);
  if (!info.isFile()) throw new CliError(`cannot read ${path}: not a file`);
  return info.size;
}

/** Bytes read so far, for progress. */
export type BytesRead = (bytes: number) => void;

/**
 * Yields the data rows of `path` in file order, `batch` at a time. Throws CliError for what
 * readSeriesCsv refuses: no header with timestamp and value, no data rows, a bad timestamp or value.
 */
export async function* readSeriesRows(
  path: string,
  { batch = 8192, onBytes }: { batch?: number; onBytes?: BytesRead } = {},
): AsyncGenerator<CsvRow[]> {
  const input = createReadStream(path);
  if (onBytes) input.on('data', () => onBytes(input.bytesRead));
  const parser = input.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, info: true }));
  let ti = -1;
  let vi = -1;
  let header = true;
  // The first data row's timestamp text decides the format: it leads every batch parsed.
  let first: { text: string; line: number } | null = null;
  let texts: string[] = [];
  let lines: number[] = [];
  let cells: string[] = [];
  const flush = (): CsvRow[] => {
    const stamps = parseTimestampColumn([first!.text, ...texts], [first!.line, ...lines], path).timestamps;
    const rows = cells.map((cell, i): CsvRow => ({
      t: stamps[i + 1],
      v: parseValueCell(cell, lines[i], path),
    }));
    texts = [];
    lines = [];
    cells = [];
    return rows;
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (header) {
        const names = record.map((h) => h.toLowerCase());
        ti = names.indexOf('timestamp');
        vi = names.indexOf('value');
        if (ti < 0 || vi < 0) {
          throw new CliError(
            `${path}: expected a header line with columns "timestamp,value" (got "${record.join(',')}")`,
          );
        }
        header = false;
        continue;
      }
      first ??= { text: record[ti], line: info.lines };
      texts.push(record[ti]);
      lines.push(info.lines);
      cells.push(record[vi]);
      if (cells.length >= batch) yield flush();
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${path}: bad CSV: ${(err as Error).message}`);
  } finally {
    input.destroy();
  }
  if (header) throw new CliError(`${path}: the file is empty`);
  if (!first) throw new CliError(`${path}: no data rows after the header`);
  if (cells.length > 0) yield flush();
}
