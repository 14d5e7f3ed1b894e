/**
 * provisioning/prometheus: the config and the alerting rules pass `promtool check`, and the rules'
 * unit tests (provisioning/prometheus/tests/*.test.yml: firing times, severities, annotations with
 * expected vs actual, job health) pass `promtool test rules`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, requireTool } from '../lib/tools.js';

const DIR = join(REPO, 'provisioning/prometheus');

function promtool(...args: string[]): { code: number | null; output: string } {
  const run = spawnSync(requireTool('promtool'), args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('provisioning/prometheus', () => {
  test('promtool is installed', () => {
    expect(requireTool('promtool')).toMatch(/promtool$/);
  });

  test('prometheus.yml is a valid config and its rule files load', () => {
    const { code, output } = promtool('check', 'config', 'prometheus.yml');
    expect(output).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(code).toBe(0);
  });

  test('the alerting rules are valid', () => {
    const { code, output } = promtool('check', 'rules', 'rules/trafficlens.rules.yml');
    expect(output).toContain('SUCCESS: 10 rules found');
    expect(code).toBe(0);
  });

  test('the forecast alerting rules are valid', () => {
    const { code, output } = promtool('check', 'rules', 'rules/forecast.rules.yml');
    expect(output).toContain('SUCCESS: 1 rules found');
    expect(code).toBe(0);
  });

  test('the rules pass their unit tests', () => {
    const tests = readdirSync(join(DIR, 'tests')).filter((f) => f.endsWith('.test.yml'));
    expect(tests.length).toBeGreaterThan(0);
    const { code, output } = promtool('test', 'rules', ...tests.map((f) => `tests/${f}`));
    if (code !== 0) throw new Error(`promtool test rules failed:\n${output}`);
    expect(output).toContain('SUCCESS');
  });
});
