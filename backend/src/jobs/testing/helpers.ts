/** Shared by the jobs tests: a logger whose lines can be inspected, a settable clock. */
import { pino, type Logger } from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) },
  );
  return { logger, lines };
}

export class TestClock {
  constructor(public t: number) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Points every `step` ms over [from, to], value from a function of the timestamp. */
export function points(
  from: number,
  to: number,
  step: number,
  value: (t: number) => number | null,
): [number, number | null][] {
  const out: [number, number | null][] = [];
  for (let t = from; t <= to; t += step) out.push([t, value(t)]);
  return out;
}
