/** trafficlens scenarios in-process: options, errors and the table (one scenario, to stay fast under jest). */
import { runCli } from './testing.js';

describe('trafficlens scenarios', () => {
  test('prints the table for the given seeds, with the seeds on stderr and a reproduce line', async () => {
    const r = await runCli(['scenarios', '--seed', '3', '--only', 'spikes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[scenarios] seeds 3\n');
    expect(r.stderr).toContain('[1/1] spikes seed 3');
    expect(r.stdout).toContain('detector auto, sensitivity 50, causal; 1 seed (3)');
    expect(r.stdout).toMatch(
      /scenario\s+detected\s+onset \(pts\)\s+coverage\s+after end\s+band\/twin\s+false\/day\s+false min\/day\s+last\/first/,
    );
    expect(r.stdout).toMatch(/\n\s+spikes\s+\d\/3\s/);
    expect(r.stdout).toContain('reproduce: trafficlens scenarios --seed 3 --detector auto --sensitivity 50');
  });

  test('--format json gives per-seed runs and the aggregate', async () => {
    const r = await runCli(['scenarios', '--seed', '3', '--only', 'dip', '--format', 'json', '-s', '70']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.seeds).toEqual([3]);
    expect(out.params).toEqual({ detector: 'auto', sensitivity: 70 });
    expect(out.runs).toHaveLength(1);
    expect(out.runs[0]).toMatchObject({ scenario: 'dip', seed: 3, metrics: { incidents: 1 } });
    expect(out.scenarios[0]).toMatchObject({ scenario: 'dip', seeds: 1, incidents: 1 });
  });

  test('usage errors exit 2 without a stack', async () => {
    for (const args of [
      ['--seed', '1', '--seeds', '2'],
      ['--seed', 'x'],
      ['--seeds', '0'],
      ['--only', 'nope'],
      ['--detector', 'lstm'],
      ['--format', 'csv'],
    ]) {
      const r = await runCli(['scenarios', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await runCli(['scenarios', '--only', 'nope'])).stderr).toContain('unknown scenario "nope"');
    expect((await runCli(['scenarios', '--seed', '1', '--seeds', '2'])).stderr).toContain(
      'give --seed or --seeds, not both',
    );
  });
});
