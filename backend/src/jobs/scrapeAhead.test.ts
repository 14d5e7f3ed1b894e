import type { Labels } from '../sources/source.js';
import { ScrapeAhead } from './scrapeAhead.js';
import { SlabPool } from './scrapeText.js';
import { SeriesLabelTexts } from './seriesLabelText.js';

const job = (labels: Labels[]) => ({
  name: 'edge',
  spec: { detector: 'auto' },
  eachSeriesLabels: () => labels.values(),
});

describe('ScrapeAhead', () => {
  test('asked again while a pass is on its way, it prepares the series added since in one more pass', async () => {
    const series: Labels[] = [{ site: 'ams' }];
    const texts = new SeriesLabelTexts([]);
    const ahead = new ScrapeAhead({
      jobs: () => [job(series)],
      labels: texts,
      slabs: new SlabPool(),
      scrapeBytes: () => 1000,
    });
    const first = ahead.prepare();
    series.push({ site: 'fra' });
    const second = ahead.prepare();
    // At most one pass waits: a third request shares it.
    expect(ahead.prepare()).toBe(second);
    await Promise.all([first, second]);
    expect(texts.rendered).toBe(2);
    // Both are rendered already: what a scrape asks for next renders nothing more.
    for (const labels of series) texts.of(job(series), labels);
    expect(texts.rendered).toBe(2);
    await ahead.idle();
  });

  test('a series whose labels are over the limits is rendered as not exported and adds no slab', async () => {
    const texts = new SeriesLabelTexts([]);
    const slabs = new SlabPool();
    const big: Labels = { site: 'x'.repeat(5000) };
    const ahead = new ScrapeAhead({
      jobs: () => [job([big])],
      labels: texts,
      slabs,
      scrapeBytes: (s) => (s.metric === null ? 0 : 1000),
    });
    await ahead.prepare();
    expect(texts.of(job([big]), big).metric).toBeNull();
    expect(slabs.allocatedBytes).toBe(0);
  });

  test('the slabs are sized once: a pass while a scrape still holds them allocates no second set', async () => {
    const series: Labels[] = Array.from({ length: 100 }, (_, i) => ({ site: `s${i}` }));
    const slabs = new SlabPool();
    const ahead = new ScrapeAhead({
      jobs: () => [job(series)],
      labels: new SeriesLabelTexts([]),
      slabs,
      scrapeBytes: () => 30_000,
    });
    await ahead.prepare();
    const sized = slabs.allocatedBytes;
    // 3 MB of text, a slab filled to 90 %: 4 slabs.
    expect(sized).toBe(4 * 2 ** 20);
    const lent = [slabs.take(), slabs.take(), slabs.take(), slabs.take()];
    await ahead.prepare();
    expect(slabs.allocatedBytes).toBe(sized);
    slabs.give(lent);
  });
});
