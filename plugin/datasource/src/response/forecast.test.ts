import { FieldType } from '@grafana/data';
import type { SeriesForecast } from '../api/types';
import { FORECAST_SUFFIX, forecastsToFrames, forecastToFrame } from './forecast';

const T = Date.UTC(2026, 0, 5);
const H = 3_600_000;

function forecast(overrides: Partial<SeriesForecast> = {}): SeriesForecast {
  return {
    labels: { site: 'ams', link: 'transit-1' },
    unit: 'Bps',
    state: 'ok',
    method: 'seasonal_trend',
    counter: false,
    stepMs: H,
    period: 24,
    last: { time: T, value: 100 },
    timestamps: [T + H, T + 2 * H],
    mean: [110, 120],
    lower80: [100, 105],
    upper80: [120, 135],
    lower95: [95, 98],
    upper95: [125, 142],
    ...overrides,
  };
}

describe('forecastToFrame', () => {
  it('gives the median and both intervals on the future timestamps, with the unit and labels', () => {
    const frame = forecastToFrame(forecast(), 'ams', { refId: 'F', executedQueryString: 'POST …' });
    expect(frame.refId).toBe('F');
    expect(frame.name).toBe('ams forecast');
    expect(frame.fields.map((f) => f.name)).toEqual([
      'time',
      'mean',
      'lower95',
      'upper95',
      'lower80',
      'upper80',
    ]);
    expect(frame.fields[0]).toMatchObject({ type: FieldType.time, values: [T + H, T + 2 * H] });
    const byName = Object.fromEntries(frame.fields.map((f) => [f.name, f]));
    expect(byName.upper95.values).toEqual([125, 142]);
    expect(byName.mean.config.unit).toBe('Bps');
    expect(byName.mean.labels).toEqual({ site: 'ams', link: 'transit-1' });
    expect(frame.meta?.executedQueryString).toBe('POST …');
  });

  it('draws a cone: each upper bound fills down to its own lower bound, the 80 % band darker', () => {
    const frame = forecastToFrame(forecast(), 'ams', { refId: 'F' });
    const byName = Object.fromEntries(frame.fields.map((f) => [f.name, f]));
    expect(byName.upper95.config.custom.fillBelowTo).toBe(`ams ${FORECAST_SUFFIX.lower95}`);
    expect(byName.lower95.config.displayNameFromDS).toBe(`ams ${FORECAST_SUFFIX.lower95}`);
    expect(byName.upper80.config.custom.fillBelowTo).toBe(`ams ${FORECAST_SUFFIX.lower80}`);
    expect(byName.upper80.config.custom.fillOpacity).toBeGreaterThan(
      byName.upper95.config.custom.fillOpacity,
    );
    expect(byName.mean.config.custom.lineStyle).toMatchObject({ fill: 'dash' });
  });

  it("puts the scorer's time-to-threshold sentence in a notice and the forecast facts in meta.custom", () => {
    const threshold = {
      capacity: 1.25e9,
      fraction: 0.8,
      threshold: 1e9,
      medianSeconds: 3600,
      upperSeconds: 1800,
      horizonSeconds: 86_400,
      sentence: 'ams/transit-1 reaches 80 % of 1.25 GB/s in about 1 hour',
    };
    const frame = forecastToFrame(forecast({ threshold }), 'ams', { refId: 'F' });
    expect(frame.meta?.notices).toEqual([{ severity: 'info', text: threshold.sentence }]);
    expect(frame.meta?.custom?.forecast).toMatchObject({ state: 'ok', method: 'seasonal_trend', threshold });
  });

  it.each([
    ['flat', 'flat: every value is the same'],
    ['insufficient_history', 'not enough history to forecast'],
  ] as const)('a %s series gets no line but a notice saying why', (state, text) => {
    const frame = forecastToFrame(
      forecast({ state, timestamps: [], mean: [], lower80: [], upper80: [], lower95: [], upper95: [] }),
      'ams',
      { refId: 'F' },
    );
    expect(frame.length).toBe(0);
    expect(frame.meta?.notices?.[0].text).toContain(text);
  });
});

describe('forecastsToFrames', () => {
  it('names the frames from the legend format, uniquely, and shows the executed query on the first', () => {
    const frames = forecastsToFrames([forecast(), forecast()], {
      refId: 'F',
      legendFormat: '{{site}}',
      executedQueryString: 'POST /api/v1/forecast',
    });
    expect(frames.map((f) => f.name)).toEqual(['ams forecast', 'ams (2) forecast']);
    expect(frames[0].meta?.executedQueryString).toBe('POST /api/v1/forecast');
    expect(frames[1].meta?.executedQueryString).toBeUndefined();
  });
});
