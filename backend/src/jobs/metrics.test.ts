import { Registry } from 'prom-client';
import { metricsText, writeMetrics, type TextChunk } from '../api/metrics.js';
import type { ScoringJob } from './job.js';
import { metricLabels, registerJobMetrics } from './metrics.js';
import { points } from './testing/helpers.js';
import { QUALITY_STATES } from './quality.js';
import { EDGE_T0, edgeJob } from './testing/edgeJob.js';

const MINUTE = 60_000;
const T0 = EDGE_T0;
const A = { site: 'ams', link: 'transit-1', direction: 'in' };
const B = { site: 'fra', link: 'ix', direction: 'out' };

const setup = () => edgeJob({ fit_window: '10m', stale_after: '2m', detector: 'robust' });

/** The sample lines of one metric. */
const samples = (text: string, name: string) =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('job metrics', () => {
  test('expose the newest point of every series with job, detector and the series labels', async () => {
    const { registry, manager, source } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0, MINUTE, (t) => (t === T0 ? 1000 : 100)),
    );
    source.add(
      B,
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 50),
    );
    await manager.runOnce('edge');
    const text = await registry.metrics();

    expect(text).toContain('# TYPE trafficlens_anomaly_score gauge');
    expect(text).toContain('# HELP trafficlens_anomaly_score Anomaly score');
    const a = 'job="edge",detector="robust",direction="in",link="transit-1",site="ams"';
    const b = 'job="edge",detector="robust",direction="out",link="ix",site="fra"';
    expect(samples(text, 'trafficlens_anomaly_score')).toEqual([
      `trafficlens_anomaly_score{${a}} 18`,
      `trafficlens_anomaly_score{${b}} 0`,
    ]);
    expect(samples(text, 'trafficlens_anomaly')).toEqual([
      `trafficlens_anomaly{${a}} 1`,
      `trafficlens_anomaly{${b}} 0`,
    ]);
    expect(samples(text, 'trafficlens_expected')).toEqual([
      `trafficlens_expected{${a}} 100`,
      `trafficlens_expected{${b}} 50`,
    ]);
    expect(samples(text, 'trafficlens_lower')).toContain(`trafficlens_lower{${a}} 50`);
    expect(samples(text, 'trafficlens_upper')).toContain(`trafficlens_upper{${b}} 75`);
  });

  test('expose per-job health: last run, duration, errors, series, missed runs', async () => {
    const { registry, clock, manager, source } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0 + 5 * MINUTE, MINUTE, () => 100),
    );
    await manager.runOnce('edge');
    source.setError(new Error('down'));
    clock.advance(MINUTE);
    await manager.runOnce('edge');
    const text = await registry.metrics();
    expect(text).toContain(`trafficlens_job_last_run_timestamp_seconds{job="edge"} ${(T0 + MINUTE) / 1000}`);
    expect(text).toContain(`trafficlens_job_last_success_timestamp_seconds{job="edge"} ${T0 / 1000}`);
    expect(text).toContain('trafficlens_job_run_duration_seconds{job="edge"} 0');
    expect(text).toContain('# TYPE trafficlens_job_errors_total counter');
    expect(text).toContain('trafficlens_job_errors_total{job="edge"} 1');
    expect(text).toContain('trafficlens_job_runs_total{job="edge"} 2');
    expect(text).toContain('trafficlens_job_series{job="edge"} 1');
    expect(text).toContain('trafficlens_job_missed_runs_total{job="edge"} 0');
    expect(text).toContain('trafficlens_job_points_scored_total{job="edge"} 11');
    expect(text).toContain('trafficlens_job_open_episodes{job="edge"} 0');
  });

  test('the open episode of each series: its start, kind, direction and drivers; none once it ends, none in maintenance', async () => {
    const { registry, clock, manager, source } = edgeJob({
      fit_window: '10m',
      detector: 'robust',
      maintenance: [{ matchers: ['site="fra"'], starts_at: T0 - 60 * MINUTE, ends_at: T0 + 60 * MINUTE }],
    });
    // A spike at T0 on both series, gone a minute later; fra is in a maintenance window.
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0 + MINUTE, MINUTE, (t) => (t === T0 ? 1000 : 100)),
    );
    source.add(
      B,
      points(T0 - 10 * MINUTE, T0 + MINUTE, MINUTE, (t) => (t === T0 ? 500 : 50)),
    );
    await manager.runOnce('edge');
    let text = await registry.metrics();
    const a = 'job="edge",detector="robust",direction="in",link="transit-1",site="ams"';
    expect(samples(text, 'trafficlens_episode_start_timestamp_seconds')).toEqual([
      `trafficlens_episode_start_timestamp_seconds{${a},episode_kind="spike",episode_direction="up"} ${T0 / 1000}`,
    ]);
    expect(samples(text, 'trafficlens_episode_driver')).toEqual([
      `trafficlens_episode_driver{${a},driver="value"} 1`,
    ]);

    clock.advance(MINUTE);
    await manager.runOnce('edge');
    text = await registry.metrics();
    expect(samples(text, 'trafficlens_episode_start_timestamp_seconds')).toEqual([]);
    expect(samples(text, 'trafficlens_episode_driver')).toEqual([]);
  });

  test('a series dropped as stale disappears from /metrics', async () => {
    const { registry, clock, manager, source } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0 + 10 * MINUTE, MINUTE, () => 100),
    );
    source.add(
      B,
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 50),
    );
    await manager.runOnce('edge');
    expect(await registry.metrics()).toContain('site="fra"');
    for (let k = 0; k < 3; k++) {
      clock.advance(MINUTE);
      await manager.runOnce('edge');
    }
    const text = await registry.metrics();
    expect(text).not.toContain('site="fra"');
    expect(text).toContain('site="ams"');
    expect(text).toContain('trafficlens_job_series{job="edge"} 1');
  });

  test('series labels are made valid Prometheus label names, without clashes', async () => {
    const { registry, manager, source } = setup();
    source.add({ __name__: 'ifHCInOctets', 'if-name': 'eth0', job: 'snmp', '0x': 'a"b\\c' }, [[T0, 5]]);
    await manager.runOnce('edge');
    const [line] = samples(await registry.metrics(), 'trafficlens_anomaly_score');
    expect(line).toBe(
      'trafficlens_anomaly_score{job="edge",detector="robust",_0x="a\\"b\\\\c",exported_name="ifHCInOctets",if_name="eth0",exported_job="snmp"} 0',
    );
  });

  test('two series whose labels sanitize alike are exported once, so the scrape stays valid', async () => {
    const { registry, manager, source } = setup();
    source.add({ 'a-b': 'x' }, [[T0, 1]]);
    source.add({ a_b: 'x' }, [[T0, 2]]);
    await manager.runOnce('edge');
    expect(samples(await registry.metrics(), 'trafficlens_anomaly_score')).toHaveLength(1);
  });

  test('label sanitizing', () => {
    expect(metricLabels('j', 'auto', { 'site.name': 'ams', detector: 'x', exported_detector: 'y' })).toEqual({
      job: 'j',
      detector: 'auto',
      exported_detector: 'x',
      exported_exported_detector: 'y',
      site_name: 'ams',
    });
    expect(metricLabels('j', 'auto', { '': 'e', ____: 'u' })).toEqual({
      job: 'j',
      detector: 'auto',
      _: 'e',
      exported_: 'u',
    });
  });

  test('a job with no points yet exports its health and no series samples', async () => {
    const { registry } = setup();
    const text = await registry.metrics();
    expect(samples(text, 'trafficlens_anomaly_score')).toEqual([]);
    expect(text).toContain('trafficlens_job_series{job="edge"} 0');
    expect(text).not.toContain('trafficlens_job_last_run_timestamp_seconds{');
  });

  test('a series whose labels are too large never enters the job: dropped, counted and logged; the other series stay', async () => {
    const { registry, manager, source, lines } = edgeJob({ fit_window: '10m', detector: 'robust' });
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 100),
    );
    source.add(
      { ...B, note: 'x'.repeat(3000) },
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 50),
    );
    source.add(
      { [`n${'y'.repeat(1100)}`]: 'v' },
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 50),
    );
    await manager.runOnce('edge');
    const job = manager.get('edge')!;
    expect(job.status()).toMatchObject({ series: 1, droppedLabelSeries: 2 });
    expect(job.results().map((r) => r.labels)).toEqual([A]);
    const text = await registry.metrics();
    expect(samples(text, 'trafficlens_anomaly_score')).toHaveLength(1);
    expect(text).toContain('trafficlens_job_dropped_series_total{job="edge",reason="labels_too_large"} 2');
    const warning = lines.find((l) => l.msg.startsWith('ignoring a series whose labels exceed the limits'));
    expect(warning?.msg).toMatch(/label note="x{64}…" is 3000 bytes, more than 2048/);
    // The log never carries the label itself.
    expect(JSON.stringify(lines).length).toBeLessThan(20_000);
  });

  test('a series with oversized labels that reaches the gauges is dropped from the scrape and counted', async () => {
    const registry = new Registry();
    const big = { ...A, note: 'z'.repeat(5000) };
    const point = {
      timestamp: T0,
      value: 1,
      score: 0.5,
      expected: 1,
      lower: 0,
      upper: 2,
      anomaly: false,
      direction: null,
    };
    const job = {
      name: 'edge',
      spec: { detector: 'robust', groups: [] },
      eachLatest: (visit: (l: unknown) => void) =>
        [
          { labels: big, point },
          { labels: B, point },
        ].forEach((l) => visit(l)),
      results: () => [], // no open episode
      openEpisodes: () => [],
    };
    registerJobMetrics(registry, {
      jobList: () => [job as unknown as ScoringJob],
      list: () => [],
    });
    const text = await registry.metrics();
    expect(samples(text, 'trafficlens_anomaly_score')).toEqual([
      'trafficlens_anomaly_score{job="edge",detector="robust",direction="out",link="ix",site="fra"} 0.5',
    ]);
    const second = await registry.metrics();
    expect(second).toContain(
      'trafficlens_metrics_series_dropped_total{metric="trafficlens_anomaly_score",reason="label_too_large"} 1',
    );
  });
});

describe('the scrape prepared ahead (jobs/scrapeAhead.ts)', () => {
  test('after a run, the first scrape renders no label text and allocates no slab; a new series is prepared by the run that brings it', async () => {
    const { registry, clock, manager, source } = setup();
    const ahead = manager.scrapeAhead!;
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0 + 10 * MINUTE, MINUTE, () => 100),
    );
    source.add(
      B,
      points(T0 - 10 * MINUTE, T0 + 10 * MINUTE, MINUTE, () => 50),
    );
    await manager.runOnce('edge');
    // JobManager asked for it when the run ended; it runs in slices, so wait for it.
    await ahead.idle();
    expect(ahead.labels.rendered).toBe(2);
    const slabBytes = ahead.slabs.allocatedBytes;
    expect(slabBytes).toBeGreaterThan(0);

    const first = await metricsText(registry);
    expect(ahead.labels.rendered).toBe(2);
    expect(ahead.slabs.allocatedBytes).toBe(slabBytes);
    expect(first).toBe(await registry.metrics());
    expect(samples(first, 'trafficlens_value')).toEqual([
      'trafficlens_value{job="edge",detector="robust",direction="in",link="transit-1",site="ams"} 100',
      'trafficlens_value{job="edge",detector="robust",direction="out",link="ix",site="fra"} 50',
    ]);

    const C = { site: 'par', link: 'transit-2', direction: 'in' };
    source.add(
      C,
      points(T0 - 10 * MINUTE, T0 + 10 * MINUTE, MINUTE, () => 70),
    );
    clock.advance(MINUTE);
    await manager.runOnce('edge');
    await ahead.idle();
    expect(ahead.labels.rendered).toBe(3);
    const next = await metricsText(registry);
    expect(ahead.labels.rendered).toBe(3);
    expect(samples(next, 'trafficlens_value')).toContain(
      'trafficlens_value{job="edge",detector="robust",direction="in",link="transit-2",site="par"} 70',
    );
  });
});

describe('incident metrics', () => {
  test('one sample per group: 1 with the members while an incident is open, 0 elsewhere', async () => {
    const { registry, manager, source } = edgeJob({ fit_window: '10m', groups: ['site'] });
    // Every ams link drops to a tenth at T0; fra stays flat.
    const down = (t: number) => (t >= T0 ? 10 : 100);
    source.add({ site: 'ams', link: 'transit-1' }, points(T0 - 10 * MINUTE, T0, MINUTE, down));
    source.add({ site: 'ams', link: 'ix' }, points(T0 - 10 * MINUTE, T0, MINUTE, down));
    source.add(
      { site: 'ams', link: 'transit-2' },
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 100),
    );
    source.add(
      { site: 'fra', link: 'ix' },
      points(T0 - 10 * MINUTE, T0, MINUTE, () => 50),
    );
    await manager.runOnce('edge');
    const text = await registry.metrics();
    expect(samples(text, 'trafficlens_incident_open')).toEqual([
      'trafficlens_incident_open{job="edge",site="ams"} 1',
      'trafficlens_incident_open{job="edge",site="fra"} 0',
    ]);
    expect(samples(text, 'trafficlens_incident_members')).toEqual([
      'trafficlens_incident_members{job="edge",site="ams"} 2',
      'trafficlens_incident_members{job="edge",site="fra"} 0',
    ]);
    expect(samples(text, 'trafficlens_incident_severity')[1]).toBe(
      'trafficlens_incident_severity{job="edge",site="fra"} 0',
    );
  });

  test('a job without groups exports none', async () => {
    const { registry, manager, source } = setup();
    source.add(
      A,
      points(T0 - 10 * MINUTE, T0, MINUTE, (t) => (t === T0 ? 10 : 100)),
    );
    source.add(
      { ...A, link: 'ix' },
      points(T0 - 10 * MINUTE, T0, MINUTE, (t) => (t === T0 ? 10 : 100)),
    );
    await manager.runOnce('edge');
    expect(samples(await registry.metrics(), 'trafficlens_incident_open')).toEqual([]);
  });
});

describe('job metrics at scale', () => {
  // Enough series that each family spans several of the text's UTF-8 chunks (CHUNK_CHARS): a line lost,
  // doubled or cut at a chunk's edge, or a non-ASCII label encoded per chunk wrongly, shows as a difference.
  const N = 6000;
  const T = Date.UTC(2025, 0, 13, 12);
  const labels = Array.from({ length: N }, (_, i) => ({
    site: `Zürich-${i % 7} ☃`,
    link: `xe-${i % 4}/${i}`,
    // A label named like a gauge's own: its samples are rendered whole (exported_state).
    ...(i % 500 === 0 ? { state: 'up' } : {}),
  }));
  const view = () => {
    const job = {
      name: 'edge',
      spec: { detector: 'auto', groups: [] },
      eachLatest: (visit: (l: unknown) => void) =>
        labels.forEach((l, i) =>
          visit({
            labels: l,
            point: {
              timestamp: T,
              value: 1000 + i / 3,
              score: (i % 100) / 40,
              expected: 1000,
              lower: 800,
              upper: 1200,
              anomaly: i % 100 >= 40,
              direction: i % 100 >= 40 ? 'up' : null,
            },
            suppressed: i % 250 === 0,
            quality: i % 3 === 0 ? 'gap' : 'ok',
          }),
        ),
      openEpisodes: () => [],
      eachSeriesLabels: () => labels.values(),
    } as unknown as ScoringJob;
    return { jobList: () => [job], list: () => [] };
  };

  test('prepared ahead, the first scrape of many series renders no label text and takes only slabs reserved for it', async () => {
    const registry = new Registry();
    const ahead = registerJobMetrics(registry, view());
    await ahead.prepare();
    expect(ahead.labels.rendered).toBe(N);
    const slabBytes = ahead.slabs.allocatedBytes;
    const chunks: TextChunk[] = [];
    const written = await writeMetrics(registry, (chunk) => chunks.push(chunk));
    expect(ahead.labels.rendered).toBe(N);
    // The estimate covers the text (UTF-8 labels and clashes included), without reserving much more.
    expect(ahead.slabs.allocatedBytes).toBe(slabBytes);
    const bytes = chunks.reduce(
      (sum, c) => sum + (typeof c === 'string' ? Buffer.byteLength(c) : c.byteLength),
      0,
    );
    expect(slabBytes).toBeLessThan(1.5 * bytes + 2 ** 20);
    written();
    expect(await metricsText(registry)).toBe(await registry.metrics());
  });

  test('the streamed text is byte for byte what registry.metrics() renders, over many chunks', async () => {
    const registry = new Registry();
    registerJobMetrics(registry, view());
    const streamed = await metricsText(registry);
    expect(streamed).toBe(await registry.metrics());
    const scores = samples(streamed, 'trafficlens_anomaly_score');
    expect(scores).toHaveLength(N);
    expect(new Set(scores).size).toBe(N);
    expect(samples(streamed, 'trafficlens_series_state')).toHaveLength(QUALITY_STATES.length * N);
    expect(streamed).toContain('site="Zürich-3 ☃"');
    expect(streamed).toContain('state="gap",exported_state="up"} 1');
  });

  test('a family is written as several UTF-8 chunks, none of them a string', async () => {
    const registry = new Registry();
    registerJobMetrics(registry, view());
    const chunks: TextChunk[] = [];
    await writeMetrics(registry, (chunk) => chunks.push(chunk));
    const binary = chunks.filter((c) => typeof c !== 'string');
    // Seven gauges of N series and a sample per quality state each: far more than one chunk of text.
    expect(binary.length).toBeGreaterThan(8);
    expect(binary.every((c) => c.byteLength <= 3 * 32 * 1024)).toBe(true);
  });

  test("a scrape's bytes stay as they are until it is written, then the next scrape writes over them", async () => {
    const registry = new Registry();
    registerJobMetrics(registry, view());
    const scrape = async () => {
      const chunks: Uint8Array[] = [];
      const written = await writeMetrics(registry, (c) => {
        if (typeof c !== 'string') chunks.push(c);
      });
      const text = () => Buffer.concat(chunks).toString('utf8');
      return { chunks, written, text, first: text() };
    };
    const a = await scrape();
    // Not yet written: a second scrape takes other slabs, and the first one's text is intact.
    const b = await scrape();
    // Views into the same memory: one buffer, intersecting byte ranges.
    const overlap = (x: Uint8Array, y: Uint8Array) =>
      x.buffer === y.buffer &&
      x.byteOffset < y.byteOffset + y.byteLength &&
      y.byteOffset < x.byteOffset + x.byteLength;
    expect(b.chunks.some((x) => a.chunks.some((y) => overlap(x, y)))).toBe(false);
    expect(a.text()).toBe(a.first);
    a.written();
    b.written();
    // Both given back: the next scrape writes into their slabs, and says the same.
    const c = await scrape();
    // No new memory: every chunk lies in a buffer the first two scrapes had.
    const before = new Set([...a.chunks, ...b.chunks].map((x) => x.buffer));
    expect(c.chunks.every((x) => before.has(x.buffer))).toBe(true);
    expect(c.first).toBe(a.first);
    c.written();
  });
});
