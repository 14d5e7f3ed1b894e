/**
 * Re-records a storage.test.ts fixture's scores where a detection change altered them by design: restores
 * the fixture's snapshot with a built checkout, scores its `next` points, and stores this build's rows from
 * the first one that differs as `rerecorded` ({ from, why, next }). Main's own rows stay in `next`, so the
 * test still holds every row before `from` to main's scores. Run it against a built checkout:
 *
 *   node rerecordStreamFixture.mjs <checkout> fixtures/<fixture>.json.gz "<why the scores changed>"
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
const [root, path, why] = process.argv.slice(2);
if (!root || !path || !why) {
  console.error('usage: node rerecordStreamFixture.mjs <checkout> <fixture.json.gz> "<why>"');
  process.exit(2);
}
const { restoreStream } = await import(root + '/backend/dist/engine/index.js');
const fixture = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
const stream = restoreStream(fixture.snapshot);
const got = fixture.next.map(([t, v]) => {
  const p = stream.push(t, v ?? NaN);
  return [t, v, p.score, p.expected, p.lower, p.upper, p.anomaly];
});
const from = got.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(fixture.next[i]));
if (from < 0) {
  console.log('every row as main scored it: nothing to re-record');
  process.exit(0);
}
fixture.rerecorded = { from, why, next: got.slice(from) };
writeFileSync(path, gzipSync(JSON.stringify(fixture)));
console.log('re-recorded from row', from, 'flagged', got.filter((r) => r[6]).length);
