/**
 * The render benchmark runs end to end (not a timing test): on tiny inputs it draws both cases with the
 * built panel and with uPlot and reports finite medians and ratios; without Chromium it says so in one
 * line and exits 1.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const SCRIPT = fileURLToPath(new URL('./render.mjs', import.meta.url));

function bench(args, env = {}) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run bench: the render benchmark', { timeout: 180_000 }, () => {
  it('draws the overlay and the wall with the panel and with uPlot, and reports medians and ratios', async () => {
    const { code, stdout, stderr } = await bench(['--tiny', '--runs', '2', '--json']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.match(report.chromium, /^\d+\./);
    assert.deepEqual(
      report.results.map((r) => r.name),
      ['overlay', 'wall'],
    );
    for (const r of report.results) {
      assert.equal(r.runs, 2);
      for (const ms of [r.panelMs, r.uplotMs, ...r.panelRange, ...r.uplotRange]) {
        assert.ok(Number.isFinite(ms) && ms > 0, `${r.name}: ${ms}`);
      }
      assert.ok(r.panelRange[0] <= r.panelMs && r.panelMs <= r.panelRange[1]);
      assert.equal(r.ratios.length, 2);
      const sorted = [...r.ratios].sort((a, b) => a - b);
      assert.ok(Math.abs(r.ratio - (sorted[0] + sorted[1]) / 2) < 1e-9, "the median of the pairs' ratios");
    }
    assert.match(stderr, /run 2\/2 panel [\d.]+ ms, uPlot [\d.]+ ms/, 'progress on stderr');
  });

  it('without Chromium, says what to install in one line and exits 1', async () => {
    const { code, stdout, stderr } = await bench(['--tiny'], { CHROMIUM_PATH: '/nonexistent/chromium' });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      "render bench: /nonexistent/chromium is missing: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH\n",
    );
  });

  it('refuses a bad --runs with the usage', async () => {
    const { code, stderr } = await bench(['--runs', '0']);
    assert.equal(code, 1);
    assert.match(stderr, /--runs: expected an integer from 1 to 100, got "0"\nusage: /);
  });
});
