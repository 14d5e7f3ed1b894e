import { parseVariableQuery } from './variableQuery';

describe('parseVariableQuery', () => {
  it.each([
    ['', { kind: 'jobs' }],
    ['jobs()', { kind: 'jobs' }],
    [' detectors( ) ', { kind: 'detectors' }],
    ['label_names(simulator)', { kind: 'label_names', job: 'simulator', filter: '' }],
    ['label_values(simulator, site)', { kind: 'label_values', job: 'simulator', filter: '', label: 'site' }],
    [
      'label_values(simulator{site="ams", link=~"a|b"}, link)',
      { kind: 'label_values', job: 'simulator', filter: '{site="ams", link=~"a|b"}', label: 'link' },
    ],
    [
      'label_names(simulator-counters{site="ams"})',
      { kind: 'label_names', job: 'simulator-counters', filter: '{site="ams"}' },
    ],
  ])('parses %j', (text, query) => {
    expect(parseVariableQuery(text)).toEqual({ ok: true, query });
  });

  it.each([
    ['sites', 'expected jobs(), detectors(), label_names(job) or label_values(job, label)'],
    ['jobs(x)', 'jobs() takes no arguments'],
    ['label_values(simulator)', 'expected a label name after the job'],
    ['label_values(simulator{site="a,b"})', 'expected a label name after the job'],
    ['label_values(simulator, 1abc)', '"1abc" is not a label name'],
    ['label_names()', 'expected a job name'],
    ['series(simulator)', 'unknown function series()'],
  ])('refuses %j', (text, message) => {
    const parsed = parseVariableQuery(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(message);
  });
});
