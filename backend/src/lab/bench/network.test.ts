import { formatNetworkReport, measureCost, measureDetection, movingTrafficGroup } from './network.js';

const small = { links: 5, days: 6, stepMs: 5 * 60_000, eventsPerDay: 2, seed: 7, curves: [1] };

describe('network bench', () => {
  test('the moved traffic stays inside what each link always swings, and sums to the same total', () => {
    const { values, events, timestamps } = movingTrafficGroup({ ...small, curves: 1 });
    const e = events[events.length - 1];
    const i = timestamps.indexOf(e.start);
    const total = (s: number) => values.reduce((sum, v) => sum + v[s], 0);
    // The group total does not see the move: only its split between links changes.
    const before = values.map((v) => v[i - 1] / total(i - 1));
    const during = values.map((v) => v[i] / total(i));
    expect(during[e.from]).toBeLessThan(before[e.from]);
    expect(during[e.to]).toBeGreaterThan(before[e.to]);
    expect(Math.abs(during[e.from] / before[e.from] - 1)).toBeLessThan(0.12);
  });

  test('PCA finds moves that the per-link auto detector mostly misses, side by side in one table', () => {
    const detection = measureDetection(small);
    const [pca, auto] = detection.rows;
    expect(pca.events).toBe(auto.events);
    expect(pca.events).toBeGreaterThan(3);
    expect(pca.recall).toBeGreaterThan(auto.recall);
    const cost = measureCost({ sizes: [10], pushes: 5, fits: 1 });
    expect(cost[0]).toMatchObject({ series: 10, window: 288 });
    const text = formatNetworkReport({ detection, cost });
    expect(text).toContain('pca (group)');
    expect(text).toContain('auto (per link)');
  });
});
