/**
 * `trafficlens score` on files too large to hold: `--causal` to CSV streams the file through the
 * causal stream and prints exactly the bytes the in-memory path prints; every other path refuses a
 * file above TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES, saying to use --causal. The memory bound itself is
 * checked on the built CLI under a small V8 heap (the in-memory path needs ~1 KB a row), so that
 * test needs `npm run build -w backend` first, like the other process tests (the root `npm test` builds).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScoreParams } from '../engine/index.js';
import { scoreInMemory } from './commands/score.js';
import type { CliIO } from './io.js';
import { streamScoreCsv } from './streamScore.js';
import { runCli } from './testing.js';

const BIN = fileURLToPath(new URL('../../bin/trafficlens.js', import.meta.url));
const T0 = 1_704_067_200; // 2024-01-01, epoch seconds

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trafficlens-stream-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Rows of `timestamp,value` from a generator of [epoch s or ms or ISO text, value text] pairs. */
async function csvFile(name: string, rows: Iterable<[string | number, string]>): Promise<string> {
  const lines = ['timestamp,value'];
  for (const [t, v] of rows) lines.push(`${t},${v}`);
  const path = join(dir, name);
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

function* traffic(n: number): Iterable<[number, string]> {
  for (let i = 0; i < n; i++) {
    const daily = 1000 + 400 * Math.sin((2 * Math.PI * i) / 1440);
    const noise = 30 * Math.sin(i * 0.7) * Math.cos(i * 0.13);
    const incident = i >= 6_000 && i < 6_030 ? 3000 : 0;
    yield [T0 + i * 60, (daily + noise + incident).toFixed(2)];
  }
}

/** A byte counter with a reset, gaps (missing rows), empty values and duplicate timestamps. */
function* counter(n: number): Iterable<[number, string]> {
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (i % 97 === 5) continue;
    c += 1000 + (i % 13) * 7;
    if (i === n - 500) c = 100;
    yield [T0 + i * 60, i % 53 === 0 ? '' : String(c)];
    if (i % 211 === 0) yield [T0 + i * 60, String(c + 1)];
  }
}

/** Milliseconds, jittered by up to ±20 s around a one-minute grid, with extra samples between. */
function* jittered(n: number): Iterable<[number, string]> {
  for (let i = 0; i < n; i++) {
    const t = T0 * 1000 + i * 60_000 + Math.round(Math.sin(i) * 20_000);
    yield [t, (100 + 20 * Math.sin(i / 60) + (i === n - 300 ? 300 : 0)).toFixed(3)];
    if (i % 7 === 0) yield [t + 25_000, String(i % 3)];
  }
}

function* short(n: number): Iterable<[string, string]> {
  for (let i = 0; i < n; i++) yield [new Date((T0 + i * 300) * 1000).toISOString(), i % 3 ? '5' : 'NaN'];
}

function capture(): { io: CliIO; out: () => { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    out: () => ({ stdout, stderr }),
  };
}

describe('score --causal streams the file', () => {
  test.each([
    ['8,000 rows of seasonal traffic with an incident', () => traffic(8_000), {}],
    ['a counter with a reset, gaps, empty values and duplicates', () => counter(3000), {}],
    ['jittered millisecond timestamps, several rows per slot', () => jittered(3000), {}],
    ['a series still learning, ISO timestamps', () => short(50), {}],
    ['a neural detector without a model (the fallback)', () => counter(1000), { detector: 'lstm' as const }],
  ])(
    'prints the bytes the in-memory path prints, rows and grid: %s',
    async (_name, rows, extra) => {
      const path = await csvFile('same.csv', rows());
      const params: ScoreParams = { sensitivity: 50, options: { causal: true }, ...extra };
      for (const grid of [false, true]) {
        const streamed = capture();
        await streamScoreCsv(path, { params, grid, ...streamed.io, batch: 1000 });
        const held = capture();
        await scoreInMemory(path, params, { grid, format: 'csv' }, held.io);
        expect(streamed.out().stdout.length).toBeGreaterThan(100);
        expect(streamed.out()).toEqual(held.out());
      }
    },
    60_000,
  );

  test('a long run shows its passes on stderr', async () => {
    const path = await csvFile('progress.csv', traffic(3000));
    const run = capture();
    await streamScoreCsv(path, {
      params: { options: { causal: true } },
      grid: false,
      ...run.io,
      progressMinBytes: 0,
    });
    const lines = run.out().stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[1\/2\] checking rows and spacing: \d+ bytes read \d+\.\d s$/);
    expect(lines[1]).toMatch(/^\[2\/2\] scoring: \d+ bytes read \d+\.\d s$/);
  });

  test('a value that overflows a double is refused naming its line, as the in-memory reader refuses it', async () => {
    const path = await csvFile('overflow.csv', [
      [T0, '1'],
      [T0 + 60, '1e400'],
      [T0 + 120, '3'],
    ]);
    for (const args of [['--causal'], []]) {
      const r = await runCli(['score', path, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `trafficlens: ${path}: line 3: value 1e400 is too large for a double (at most ±1.8e308)\n`,
      );
    }
  });

  test('rows out of time order: scored in memory when the file fits, refused with the reason when not', async () => {
    const path = await csvFile('unsorted.csv', [
      [T0 + 60, '1'],
      [T0, '2'],
      [T0 + 120, '3'],
    ]);
    const fits = await runCli(['score', path, '--causal']);
    expect(fits.code).toBe(0);
    expect(fits.stdout.split('\n')[1]).toMatch(/^2024-01-01T00:01:00.000Z,1,/);
    process.env.TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES = '10';
    try {
      const big = await runCli(['score', path, '--causal']);
      expect(big.code).toBe(1);
      expect(big.stderr).toBe(
        `trafficlens: ${path} cannot be streamed: its rows are not in time order (row 2 is before row 1); sort the file by timestamp; files up to 0.0 MiB (TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES) are scored in memory, this one is 0.0 MiB\n`,
      );
    } finally {
      delete process.env.TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES;
    }
  });
});

describe('files above the in-memory limit', () => {
  test('without --causal (or to JSON) are refused with a message pointing to --causal; --causal streams them', async () => {
    const path = await csvFile('big.csv', traffic(2000));
    process.env.TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES = '4096';
    try {
      for (const args of [[], ['--format', 'json', '--causal'], ['--grid']]) {
        const r = await runCli(['score', path, ...args]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(
          /^trafficlens: .*big\.csv is 0\.0 MiB; scoring (without --causal|to JSON) holds the whole series in memory \(about 1 GB per million rows\), so it is limited to files up to 0\.0 MiB \(TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES\)\. Score it with --causal and CSV output, which streams the file in constant memory\n$/,
        );
      }
      const streamed = await runCli(['score', path, '--causal']);
      expect(streamed.code).toBe(0);
      expect(streamed.stdout.trim().split('\n')).toHaveLength(2001);
    } finally {
      delete process.env.TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES;
    }
  });

  test('the built CLI scores 200,000 rows with --causal in a 64 MB heap, where the in-memory path runs out', async () => {
    const path = await csvFile('200k.csv', traffic(200_000));
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--max-old-space-size=64', BIN, 'score', path, ...args], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '' },
      });
    const streamed = run(['--causal']);
    expect(streamed.stderr).toBe('');
    expect(streamed.status).toBe(0);
    const lines = streamed.stdout.trim().split('\n');
    expect(lines).toHaveLength(200_001);
    expect(lines.at(-1)).toMatch(/^2024-05-18T21:19:00.000Z,\d+\.\d+,[\d.e-]+,.*,ok$/);
    // The premise: holding the same file does not fit in that heap.
    const held = run([]);
    expect(held.status).not.toBe(0);
    expect(held.stderr).toMatch(/heap out of memory/);
  }, 120_000);
});
