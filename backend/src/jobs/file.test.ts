import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JobsFileError, parseJobsFile } from './file.js';

const withProm = { prometheusConfigured: true };

function problems(text: string, options = withProm): string[] {
  try {
    parseJobsFile(text, 'jobs.yaml', options);
  } catch (err) {
    if (err instanceof JobsFileError) return err.problems;
    throw err;
  }
  throw new Error('expected a JobsFileError');
}

describe('jobs file', () => {
  test('a PromQL job: expr becomes a prometheus source, durations and filters are normalized', () => {
    const [spec] = parseJobsFile(
      `jobs:
  - name: edge
    expr: rate(bytes_total[5m])
    interval: 30s
    step: 30s
    fit_window: 3d
    fit_every: 1d
    filters: ['link=~"transit-.*"']
`,
      'jobs.yaml',
      withProm,
    );
    expect(spec).toMatchObject({
      name: 'edge',
      source: { type: 'prometheus', expr: 'rate(bytes_total[5m])' },
      detector: 'auto',
      sensitivity: 50,
      intervalMs: 30_000,
      stepMs: 30_000,
      fitWindowMs: 3 * 86_400_000,
      fitEveryMs: 86_400_000,
      matchers: [{ name: 'link', op: '=~', value: 'transit-.*' }],
    });
  });

  test('a simulator job needs no Prometheus', () => {
    const specs = parseJobsFile('jobs:\n  - name: sim\n    source: {type: simulator}\n', 'j.yaml', {
      prometheusConfigured: false,
    });
    expect(specs[0].source.type).toBe('simulator');
  });

  test('the example in provisioning/trafficlens/jobs.yaml is valid', () => {
    const path = fileURLToPath(new URL('../../../provisioning/trafficlens/jobs.yaml', import.meta.url));
    const specs = parseJobsFile(readFileSync(path, 'utf8'), path, withProm);
    expect(specs.map((s) => s.name)).toEqual(['interface-traffic', 'http-requests', 'http-errors']);
  });

  test.each([
    ['jobs: [', 'jobs.yaml:1:'],
    ['jobs:\n  - name: a\n    expr: up\n  name: b\n', 'jobs.yaml:4:'],
    ['', 'jobs: Invalid input: expected array'],
    ['jobs: []\n', 'jobs.yaml:1:7: jobs: expected at least one job'],
    ['job:\n  - name: a\n', 'jobs.yaml:1:1: job: unknown field'],
    [
      'jobs:\n  - name: a\n    expr: up\n    interval: 5x\n',
      'jobs.yaml:4:15: jobs[0].interval: "5x" is not a duration',
    ],
    ['jobs:\n  - name: a\n    expr: up\n    intervl: 5s\n', 'jobs.yaml:4:5: jobs[0].intervl: unknown field'],
    [
      'jobs:\n  - name: a\n    expr: up\n    sensitivity: 120\n',
      'jobs.yaml:4:18: jobs[0].sensitivity: Too big',
    ],
    ['jobs:\n  - name: a\n    expr: up\n    detector: magic\n', 'jobs.yaml:4:15: jobs[0].detector:'],
    ['jobs:\n  - name: a\n', 'jobs.yaml:2:5: jobs[0].expr: expected a PromQL expression (expr), or a source'],
    ['jobs:\n  - name: a\n    expr: "  "\n', 'jobs.yaml:3:11: jobs[0].expr: expected a PromQL expression'],
    [
      'jobs:\n  - name: a\n    expr: up\n    source: {type: simulator}\n',
      'jobs[0].expr: give either expr or source, not both',
    ],
    [
      'jobs:\n  - name: a\n    expr: up\n    filters: [site=ams]\n',
      'jobs.yaml:4:15: jobs[0].filters[0]: matcher "site=ams"',
    ],
    [
      'jobs:\n  - name: a\n    expr: up\n  - name: a\n    expr: down\n',
      'jobs.yaml:4:11: jobs[1].name: "a" is already the name of jobs[0]',
    ],
    [
      'jobs:\n  - name: a\n    expr: up\n    unit: Mbps\n',
      'jobs.yaml:4:11: jobs[0].unit: "Mbps" is not a Grafana unit id: use one of Bps, bps',
    ],
    [
      'jobs:\n  - name: a\n    expr: up\n    interval: 1m\n    fit_every: 30s\n',
      'jobs[0].fit_every: must be at least',
    ],
  ])('%j is refused: %s', (text, message) => {
    expect(problems(text).join('\n')).toContain(message);
  });

  test('every problem is reported at once', () => {
    const found = problems(
      'jobs:\n  - name: a\n    expr: up\n    interval: 5x\n    step: 0s\n  - name: "!"\n    expr: up\n',
    );
    expect(found).toHaveLength(3);
  });

  test('PromQL jobs are refused, at their expr line, when no Prometheus is configured', () => {
    expect(problems('jobs:\n  - name: a\n    expr: up\n', { prometheusConfigured: false })).toEqual([
      'jobs.yaml:3:11: jobs[0] "a": a PromQL job needs a Prometheus: set TRAFFICLENS_PROMETHEUS_URL (or --prometheus-url)',
    ]);
  });
});
