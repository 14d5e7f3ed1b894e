/**
 * Smoke test of the load section on a tiny plan: the built service (needs `npm run build -w backend`),
 * two clients for a moment, the numbers in their documented shape. No timing is asserted.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLoadReport, measureLoad } from './load.js';
import { table } from './report.js';

test('loads the built service and reports answers, /healthz latencies and RSS', async () => {
  const result = await measureLoad({
    bodies: ['small'],
    concurrency: [2],
    durationMs: 300,
    probeIntervalMs: 50,
    env: { TRAFFICLENS_WORKER_THREADS: '0' },
    floor: true,
  });
  expect(result.cells).toHaveLength(1);
  const [cell] = result.cells;
  expect(cell).toMatchObject({ body: 'small', concurrency: 2, durationMs: 300, healthFailures: 0 });
  expect(cell.outcomes['200']).toBeGreaterThan(0);
  expect(cell.scored.count).toBe(cell.outcomes['200']);
  expect(cell.health.count).toBeGreaterThan(0);
  expect(cell.health.p99Ms).toBeGreaterThan(0);
  // The service's own view: its loop lag, and /healthz in its request-duration histogram.
  expect(cell.server?.loopLagMaxMs).toBeGreaterThan(0);
  expect(cell.server?.healthP99AtMostMs).toBeGreaterThan(0);
  expect(cell.server?.shed).toBe(cell.shed.count);
  expect(cell.mainThreadUsPerAnswer).toBeGreaterThan(0);
  // The bare HTTP floor under the same clients: every POST refused, every probe answered.
  expect(result.floor).toHaveLength(1);
  const [floor] = result.floor;
  expect(floor).toMatchObject({ body: 'small', concurrency: 2, healthFailures: 0, server: null });
  expect(floor.outcomes['503']).toBeGreaterThan(0);
  expect(floor.outcomes['200']).toBeUndefined();
  expect(result.rssBeforeBytes).toBeGreaterThan(0);
  expect(result.rssAfterBytes).toBeGreaterThan(0);
  const report = formatLoadReport(result, (rows) => table(rows));
  expect(report).toContain('small (0.03 MB)');
  expect(report).toMatch(/RSS of the service: \d+ MB before, \d+ MB after/);
  expect(report).toContain('floor: small (0.03 MB)');
  // Every row ends with the main thread's CPU time per answer.
  expect(report.split('\n').find((line) => line.includes('floor: small'))).toMatch(/ \d+$/);
  expect(report).toMatch(/small × 2, service ÷ floor: shed p99 (\d+\.\d+×|-), \/healthz p99 \d+\.\d+×/);
  expect(report).toMatch(
    /Worst p99 seen by the clients: \/healthz [\d.]+ ms \(target < 100 ms: (met|missed)\)/,
  );
}, 60_000);

test("passes node flags to the service: --cpu-prof leaves its main thread's profile when it stops", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trafficlens-load-prof-'));
  try {
    await measureLoad({
      bodies: ['small'],
      concurrency: [1],
      durationMs: 100,
      probeIntervalMs: 50,
      env: { TRAFFICLENS_WORKER_THREADS: '0' },
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
    const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    expect(profiles).toHaveLength(1);
    const profile = JSON.parse(readFileSync(join(dir, profiles[0]), 'utf8')) as { nodes: unknown[] };
    expect(profile.nodes.length).toBeGreaterThan(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
