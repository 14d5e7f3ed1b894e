/**
 * Writes a fixture for storage.test.ts: a stream snapshot of `auto` after 10 days of the lab's
 * weekly_weekend series (seed 5), and the next 1,200 points as that build scored them, with a 40 % drop
 * for two hours (rows 602–721) among them. Run it against a built checkout of the commit it is named for:
 *
 *   node writeStreamFixture.mjs <checkout> "main <commit>" fixtures/stream-auto-seasonal-<commit>.json.gz
 */
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
const root = process.argv[2];
const { findScenario } = await import(root + '/backend/dist/lab/scenarios/catalog.js');
const { createStream } = await import(root + '/backend/dist/engine/index.js');
const s = findScenario('weekly_weekend').generate(5);
const stream = createStream({ detector: 'auto' });
const N = 14400;
for (let i = 0; i < N; i++) stream.push(s.timestamps[i], s.values[i] ?? NaN);
const snapshot = JSON.parse(JSON.stringify(stream.snapshot()));
const next = [];
for (let k = 0; k < 1200; k++) {
  const i = N + k;
  let v = s.values[i];
  if (v !== null && k >= 602 && k < 722) v = Math.round(v * 0.6 * 100) / 100;
  const p = stream.push(s.timestamps[i], v ?? NaN);
  next.push([s.timestamps[i], v, p.score, p.expected, p.lower, p.upper, p.anomaly]);
}
const out = { writtenBy: process.argv[3], period: stream.period(), snapshot, next };
writeFileSync(process.argv[4], gzipSync(JSON.stringify(out)));
console.log(
  'period',
  out.period,
  'version',
  snapshot.detector.version,
  'components',
  snapshot.detector.components.length,
  'flagged',
  next.filter((r) => r[6]).length,
);
