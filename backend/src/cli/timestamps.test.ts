import { CliError } from './errors.js';
import { parseIso8601, parseTimestampColumn } from './timestamps.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => i + 2);

describe('ISO 8601 timestamps', () => {
  test('a UTC timestamp with Z parses to epoch milliseconds', () => {
    expect(parseIso8601('2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
  });

  test('a timestamp without a zone is read as UTC', () => {
    expect(parseIso8601('2024-05-01T12:00:00')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseIso8601('2024-05-01 12:00:00')).toBe(Date.UTC(2024, 4, 1, 12));
  });

  test('offsets, fractions, dates and minutes-only times are understood', () => {
    expect(parseIso8601('2024-05-01T14:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseIso8601('2024-05-01T07:30:00-0430')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseIso8601('2024-05-01T12:00:00.250Z')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 250));
    expect(parseIso8601('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseIso8601('2024-05-01T12:30')).toBe(Date.UTC(2024, 4, 1, 12, 30));
  });

  test('impossible dates and free text are rejected', () => {
    expect(parseIso8601('2024-02-30T00:00:00Z')).toBeNaN();
    expect(parseIso8601('2024-13-01')).toBeNaN();
    expect(parseIso8601('yesterday')).toBeNaN();
  });
});

describe('timestamp column format detection', () => {
  test('numbers below 1e11 are epoch seconds', () => {
    const r = parseTimestampColumn(['1700000000', '1700000060.5'], lines(2), 'f.csv');
    expect(r.format).toBe('epoch_seconds');
    expect(r.timestamps).toEqual([1700000000000, 1700000060500]);
  });

  test('numbers from 1e11 up are epoch milliseconds', () => {
    const r = parseTimestampColumn(['1700000000000', '1700000060000'], lines(2), 'f.csv');
    expect(r.format).toBe('epoch_milliseconds');
    expect(r.timestamps).toEqual([1700000000000, 1700000060000]);
  });

  test('ISO, epoch seconds and epoch milliseconds give the same instants', () => {
    const iso = parseTimestampColumn(['2023-11-14T22:13:20Z'], lines(1), 'a').timestamps;
    const s = parseTimestampColumn(['1700000000'], lines(1), 'b').timestamps;
    const ms = parseTimestampColumn(['1700000000000'], lines(1), 'c').timestamps;
    expect(iso).toEqual(s);
    expect(s).toEqual(ms);
  });

  test('a file mixing seconds and milliseconds is rejected with the line number', () => {
    expect(() => parseTimestampColumn(['1700000000', '1700000060000'], lines(2), 'f.csv')).toThrow(
      /f\.csv: line 3: timestamp 1700000060000 looks like epoch milliseconds/,
    );
  });

  test('a file mixing ISO and epoch timestamps is rejected', () => {
    expect(() => parseTimestampColumn(['2024-05-01T00:00:00Z', '1700000000'], lines(2), 'f.csv')).toThrow(
      CliError,
    );
    expect(() => parseTimestampColumn(['1700000000', '2024-05-01'], lines(2), 'f.csv')).toThrow(
      /is not a number/,
    );
  });
});
