import { JobConfigError, parseJobConfig } from './config.js';
import { formatDuration, parseDuration } from '../contract/duration.js';

const minimal = { name: 'edge', source: { type: 'simulator' } };

describe('durations', () => {
  test.each([
    ['500ms', 500],
    ['15s', 15_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', '15', 's', '1x', '-1s', '1 m', '1m-'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  test('format renders the largest units exactly', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(6000)).toBe('6s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('job config', () => {
  test('lstm and autoencoder are accepted, with training options for the per-series models', () => {
    const spec = parseJobConfig({
      name: 'neural',
      source: { type: 'simulator' },
      detector: 'autoencoder',
      training: { epochs: 5, window: 16 },
    });
    expect(spec).toMatchObject({ detector: 'autoencoder', training: { epochs: 5, window: 16 } });
    expect(
      parseJobConfig({ name: 'n', source: { type: 'simulator' }, detector: 'lstm' }).training,
    ).toBeUndefined();
  });

  test('a minimal job gets the documented defaults', () => {
    const spec = parseJobConfig(minimal);
    expect(spec).toMatchObject({
      name: 'edge',
      detector: 'auto',
      sensitivity: 50,
      intervalMs: 15_000,
      stepMs: 60_000,
      fitWindowMs: 172_800_000,
      // 12 h at the 1-minute step (issue 15: 18.9 KiB of ring a series instead of 71.6).
      retentionPoints: 720,
      // Stale (shown as such) after 5 × max(interval, step); dropped only after a day.
      qualityStaleMs: 300_000,
      staleAfterMs: 86_400_000,
      timeoutMs: 30_000,
      matchers: [],
      maxSeries: 1000,
    });
    expect(spec.source).toEqual({
      type: 'simulator',
      seed: 1,
      speed: 1,
      kinds: ['traffic', 'http'],
      incidents: true,
      incident_every: 7_200_000,
    });
  });

  test.each(['Bps', 'bps', 'pps', 'reqps', 'percentunit', 's', 'short', 'suffix:flows/s'])(
    'unit %s (a Grafana unit id) is kept as given',
    (unit) => {
      expect(parseJobConfig({ ...minimal, unit }).unit).toBe(unit);
    },
  );

  test('without a retention, a job keeps what its forecast and its groups read: the horizon, a day', () => {
    expect(parseJobConfig({ ...minimal, step: '5m', forecast: { horizon: '1w' } }).retentionPoints).toBe(
      2016,
    );
    expect(parseJobConfig({ ...minimal, groups: ['site'] }).retentionPoints).toBe(1440);
    // Never less than the plain default: a day at a 5-minute step is 288 points.
    expect(parseJobConfig({ ...minimal, step: '5m', groups: ['site'] }).retentionPoints).toBe(720);
    // An explicit retention is kept as given.
    expect(parseJobConfig({ ...minimal, groups: ['site'], retention: 100 }).retentionPoints).toBe(100);
  });

  test('max_series may be 200,000 (one process keeps that many, issue 15) and at most 1,000,000', () => {
    expect(parseJobConfig({ ...minimal, max_series: 200_000 }).maxSeries).toBe(200_000);
    expect(() => parseJobConfig({ ...minimal, max_series: 1_000_001 })).toThrow(/max_series/);
  });

  test("without a unit the series keep their source's (the spec says null)", () => {
    expect(parseJobConfig(minimal).unit).toBeNull();
  });

  test('a full job is normalized: durations to ms, retention as a duration to points, filters parsed', () => {
    const spec = parseJobConfig({
      ...minimal,
      detector: 'robust',
      sensitivity: 80,
      interval: '30s',
      step: '1m',
      fit_window: '1d',
      retention: '6h',
      stale_after: '10m',
      stale_intervals: 3,
      timeout: '5s',
      filters: ['site="ams"', 'link=~"transit-.*"'],
      options: { period: 1440, direction: 'up', timezone: 'Europe/Amsterdam' },
      max_series: 50,
    });
    expect(spec).toMatchObject({
      detector: 'robust',
      intervalMs: 30_000,
      fitWindowMs: 86_400_000,
      retentionPoints: 360,
      qualityStaleMs: 180_000,
      staleAfterMs: 600_000,
      timeoutMs: 5000,
      options: { period: 1440, direction: 'up', timezone: 'Europe/Amsterdam' },
      matchers: [
        { name: 'site', op: '=', value: 'ams' },
        { name: 'link', op: '=~', value: 'transit-.*' },
      ],
    });
  });

  test.each([
    [{ source: { type: 'simulator' } }, 'name'],
    [{ ...minimal, name: 'has space' }, 'name: must be 1–63 letters'],
    [{ ...minimal, source: { type: 'graphite' } }, 'source.type'],
    [{ ...minimal, source: { type: 'simulator', speed: 0 } }, 'source.speed'],
    [{ ...minimal, detector: 'magic' }, 'detector'],
    [{ ...minimal, detector: 'classifier' }, 'detector: classifier needs labelled anomalies'],
    [{ ...minimal, detector: 'lstm', training: { epochs: 0 } }, 'training.epochs'],
    [{ ...minimal, sensitivity: 101 }, 'sensitivity'],
    [{ ...minimal, interval: '15x' }, 'interval: "15x" is not a duration'],
    [{ ...minimal, interval: '10ms' }, 'interval: must be at least 1s, got 10ms'],
    [
      { ...minimal, step: '1s', fit_window: '30d' },
      'fit_window: is 2592000 points at step 1s; the limit is 100000',
    ],
    [{ ...minimal, retention: 0 }, 'retention'],
    [{ ...minimal, step: '1s', retention: '7d' }, 'retention: keeps 604800 points per series'],
    [
      { ...minimal, retention: 'forever' },
      'retention: "forever" is neither a number of points nor a duration',
    ],
    [{ ...minimal, interval: '1m', stale_after: '30s' }, 'stale_after: must be at least the interval'],
    [{ ...minimal, stale_intervals: 0 }, 'stale_intervals'],
    [{ ...minimal, stale_intervals: 2.5 }, 'stale_intervals'],
    [{ ...minimal, filters: ['site=ams'] }, 'filters.0: matcher "site=ams" is not of the form'],
    [{ ...minimal, filters: ['link=~"("'] }, 'invalid regex'],
    [{ ...minimal, options: { causal: false } }, 'options'],
    [
      { ...minimal, options: { timezone: 'CEST' } },
      'options.timezone: expected an IANA time zone such as Europe/Berlin',
    ],
    [{ ...minimal, colour: 'blue' }, 'colour'],
    [{ ...minimal, unit: 'Mbps' }, 'unit: "Mbps" is not a Grafana unit id: use one of Bps, bps'],
    [{ ...minimal, unit: 'bytes/s' }, 'unit: "bytes/s" is not a Grafana unit id'],
    [{ ...minimal, unit: 'suffix:' }, 'unit: "suffix:" is not a Grafana unit id'],
    [{ ...minimal, unit: 8 }, 'unit'],
  ])('rejects %j naming %s', (config, expected) => {
    expect(() => parseJobConfig(config)).toThrow(JobConfigError);
    expect(() => parseJobConfig(config)).toThrow(expected);
  });

  test('the error names the job and lists every problem', () => {
    try {
      parseJobConfig({ ...minimal, interval: 'soon', sensitivity: -1 });
      throw new Error('expected a JobConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(JobConfigError);
      expect((err as Error).message).toMatch(/^invalid job "edge": /);
      expect((err as JobConfigError).issues.map((i) => i.path).sort()).toEqual(['interval', 'sensitivity']);
    }
  });
});

describe('maintenance windows in the jobs file', () => {
  test('a one-off window (ISO times) and a recurring one (cron + duration) become the spec', () => {
    const spec = parseJobConfig({
      ...minimal,
      maintenance: [
        {
          matchers: ['site="ams"'],
          starts_at: '2026-01-10T02:00:00Z',
          ends_at: '2026-01-10T04:00:00Z',
          comment: 'CHG-1',
        },
        { cron: '0 2 * * 6', duration: '2h', author: 'noc' },
      ],
    });
    expect(spec.maintenance).toEqual([
      {
        matchers: [{ name: 'site', op: '=', value: 'ams' }],
        timing: { startsAt: Date.UTC(2026, 0, 10, 2), endsAt: Date.UTC(2026, 0, 10, 4), schedule: null },
      },
      {
        matchers: [],
        timing: { startsAt: null, endsAt: null, schedule: { cron: '0 2 * * 6', durationMs: 7_200_000 } },
      },
    ]);
    expect(parseJobConfig(minimal).maintenance).toEqual([]);
  });

  test.each([
    [
      { matchers: ['site=ams'], starts_at: 1, ends_at: 2 },
      'maintenance.0.matchers.0: matcher "site=ams" is not of the form',
    ],
    [{ starts_at: 2, ends_at: 1 }, 'maintenance.0.ends_at: must be after starts_at'],
    [{ starts_at: 1 }, 'maintenance.0.starts_at: give starts_at and ends_at, or cron and duration'],
    [{ cron: '0 2 * * 6' }, 'maintenance.0.duration: give cron and duration together'],
    [{ cron: '0 0 30 2 *', duration: '1h' }, 'maintenance.0.cron: cron "0 0 30 2 *" never fires'],
    [{ cron: '0 2 * * 6', duration: '10s' }, 'maintenance.0.duration: must be at least 1m'],
    [{ starts_at: 'tomorrow', ends_at: 2 }, 'maintenance.0.starts_at'],
  ])('%j is refused: %s', (window, message) => {
    expect(() => parseJobConfig({ ...minimal, maintenance: [window] })).toThrow(message);
  });
});

describe('groups', () => {
  test('a hierarchy of label names, and an incident window defaulting to 5 intervals', () => {
    expect(parseJobConfig(minimal)).toMatchObject({ groups: [], incidentWindowMs: 300_000 });
    const spec = parseJobConfig({ ...minimal, groups: ['site', 'device'], interval: '1m', step: '1m' });
    expect(spec).toMatchObject({ groups: ['site', 'device'], incidentWindowMs: 300_000 });
    expect(parseJobConfig({ ...minimal, groups: ['site'], incident_window: '15m' }).incidentWindowMs).toBe(
      900_000,
    );
  });

  test.each([
    [{ groups: 'site' }, 'groups: Invalid input: expected array, received string'],
    [{ groups: ['site', 'site'] }, 'groups: a label may appear only once'],
    [{ groups: ['2site'] }, 'groups.0: must be a label name'],
    [{ groups: ['job'] }, "groups.0: job and detector are the scorer's own labels"],
    [{ groups: [{ site: 'ams' }] }, 'groups.0: Invalid input: expected string'],
    [{ groups: ['a', 'b', 'c', 'd', 'e'] }, 'groups: Too big'],
    [{ groups: ['site'], incident_window: 'soon' }, 'incident_window: "soon" is not a duration'],
  ])('%j is refused: %s', (extra, message) => {
    expect(() => parseJobConfig({ ...minimal, ...extra })).toThrow(message);
  });
});
