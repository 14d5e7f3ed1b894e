/**
 * Per-item progress of long runs (files by default), on stderr: a bar on a terminal, one plain line
 * per item otherwise.
 */
import cliProgress from 'cli-progress';
import type { CliOutput } from './io.js';

export interface Progress {
  start(index: number, total: number, label: string): void;
  done(index: number, total: number, label: string, elapsedMs: number): void;
  stop(): void;
}

export function createProgress(out: CliOutput, unit = 'files'): Progress {
  if (!out.isTTY) {
    return {
      start: () => {},
      done: (index, total, label, ms) =>
        out.write(`[${index}/${total}] ${label} ${(ms / 1000).toFixed(1)} s\n`),
      stop: () => {},
    };
  }
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(index, total, label) {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream: out as unknown as NodeJS.WritableStream,
            format: `{bar} {value}/{total} ${unit} | {file} | {duration_formatted}`,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, index - 1, { file: label });
      } else bar.update(index - 1, { file: label });
    },
    done(index, _total, label) {
      bar?.update(index, { file: label });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
