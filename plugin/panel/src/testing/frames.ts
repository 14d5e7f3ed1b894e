import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';

const T0 = Date.UTC(2025, 0, 13, 8, 0, 0);
const STEP = 60000;

/** A frame as the TrafficLens datasource builds it, with one spike (score `spikeScore`) at index `spikeAt`. */
export function trafficLensFrame(
  name = 'transit-1',
  {
    n = 60,
    spikeAt = 40,
    spikeScore = 4,
    state = 'ok',
    labels = { link: name } as Record<string, string>,
  } = {},
): DataFrame {
  const time = Array.from({ length: n }, (_, i) => T0 + i * STEP);
  const expected = time.map(() => 100);
  const value = time.map((_, i) => (i === spikeAt ? 400 : 100 + (i % 5)));
  const score = value.map((v, i) => (i === spikeAt ? spikeScore : 0.2));
  return createDataFrame({
    name,
    meta: { custom: { state } },
    fields: [
      { name: 'time', type: FieldType.time, values: time },
      { name: 'value', type: FieldType.number, values: value, labels, config: { unit: 'bps' } },
      { name: 'lower', type: FieldType.number, values: expected.map((e) => e - 10), labels },
      { name: 'upper', type: FieldType.number, values: expected.map((e) => e + 10), labels },
      { name: 'expected', type: FieldType.number, values: expected, labels },
      { name: 'score', type: FieldType.number, values: score, labels },
      { name: 'anomaly', type: FieldType.boolean, values: score.map((s) => s >= 1), labels },
    ],
  });
}

/** A frame from any other datasource: time and two number fields. */
/**
 * A forecast frame as the datasource's `forecast` format gives it (plugin/datasource/src/response/forecast.ts):
 * `n` steps after the end of trafficLensFrame(name) (default length), on a level of 110, widening.
 */
export function forecastFrame(
  name = 'transit-1',
  { n = 30, from = T0 + 60 * STEP, labels = { link: name } as Record<string, string>, sentence = '' } = {},
): DataFrame {
  const time = Array.from({ length: n }, (_, i) => from + i * STEP);
  const mean = time.map(() => 110);
  const spread = (k: number) => time.map((_, i) => k * (5 + i));
  return createDataFrame({
    name: `${name} forecast`,
    meta: {
      custom: {
        forecast: { state: 'ok', method: 'seasonal_trend', ...(sentence ? { threshold: { sentence } } : {}) },
      },
    },
    fields: [
      { name: 'time', type: FieldType.time, values: time },
      { name: 'mean', type: FieldType.number, labels, values: mean },
      { name: 'lower95', type: FieldType.number, labels, values: mean.map((m, i) => m - spread(2)[i]) },
      { name: 'upper95', type: FieldType.number, labels, values: mean.map((m, i) => m + spread(2)[i]) },
      { name: 'lower80', type: FieldType.number, labels, values: mean.map((m, i) => m - spread(1)[i]) },
      { name: 'upper80', type: FieldType.number, labels, values: mean.map((m, i) => m + spread(1)[i]) },
    ],
  });
}

export function plainFrame(): DataFrame {
  const time = Array.from({ length: 30 }, (_, i) => T0 + i * STEP);
  return createDataFrame({
    name: 'influx',
    fields: [
      { name: 'time', type: FieldType.time, values: time },
      { name: 'in', type: FieldType.number, values: time.map((_, i) => i) },
      { name: 'out', type: FieldType.number, values: time.map((_, i) => 2 * i) },
    ],
  });
}

export { T0, STEP };

/**
 * What the TrafficLens datasource's scoreSeries answers for these series: one frame each, the band
 * ±10 around the series' first value, score 4 (critical, an open episode) at the last point.
 */
export function scoredFrames(
  input: Array<{ name?: string; timestamps: number[]; values: Array<number | null> }>,
): DataFrame[] {
  return input.map((s) => {
    const base = s.values.find((v) => v !== null) ?? 0;
    const score = s.values.map((_, i) => (i === s.values.length - 1 ? 4 : 0.1));
    return createDataFrame({
      name: `scorer's name for ${s.name}`,
      meta: { custom: { state: 'ok', detector: 'auto', episodes: 1 } },
      fields: [
        { name: 'time', type: FieldType.time, values: s.timestamps },
        { name: 'value', type: FieldType.number, values: s.values },
        { name: 'lower', type: FieldType.number, values: s.values.map(() => base - 10) },
        { name: 'upper', type: FieldType.number, values: s.values.map(() => base + 10) },
        { name: 'expected', type: FieldType.number, values: s.values.map(() => base) },
        { name: 'score', type: FieldType.number, values: score },
        { name: 'anomaly', type: FieldType.boolean, values: score.map((x) => x >= 1) },
      ],
    });
  });
}
