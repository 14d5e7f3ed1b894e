/**
 * Forecasts → Grafana data frames, one frame per series, on timestamps past the range's end. Pure: no
 * requests, no Grafana runtime.
 *
 * The field config makes the built-in Time series panel draw the forecast as a cone: the median as a
 * dashed line, the 80 % interval as a darker band and the 95 % one as a lighter band (each upper field
 * fills down to its lower one, as the scored series' normal band does). With a capacity, the sentence
 * the scorer wrote ("… reaches 80 % of 10 Gb/s in about 3 days 4 hours") is the frame's notice.
 */
import {
  createDataFrame,
  FieldColorModeId,
  FieldType,
  type DataFrame,
  type FieldConfig,
  type FieldDTO,
  type QueryResultMeta,
  type QueryResultMetaNotice,
} from '@grafana/data';
import { VisibilityMode, type GraphFieldConfig } from '@grafana/schema';
import type { SeriesForecast } from '../api/types';
import { formatLegend, uniqueNames } from './legend';

export interface ForecastFrameOptions {
  refId: string;
  legendFormat?: string;
  executedQueryString?: string;
}

/** Display-name suffixes of the forecast's fields; the bands' `fillBelowTo` relies on them. */
export const FORECAST_SUFFIX = {
  mean: 'forecast',
  lower80: 'forecast 80% lower',
  upper80: 'forecast 80% upper',
  lower95: 'forecast 95% lower',
  upper95: 'forecast 95% upper',
} as const;

const CONE_COLOR = 'orange';

const STATE_NOTICES: Record<string, QueryResultMetaNotice | undefined> = {
  flat: { severity: 'info', text: 'flat: every value is the same, so there is no line to forecast' },
  insufficient_history: {
    severity: 'warning',
    text: 'not enough history to forecast: fewer than 16 valid points',
  },
};

type Custom = Partial<GraphFieldConfig>;

function band(name: string, fill: number, below?: string): Custom {
  return {
    lineWidth: 0,
    fillOpacity: fill,
    ...(below ? { fillBelowTo: below } : {}),
    showPoints: VisibilityMode.Never,
    hideFrom: { legend: true, tooltip: false, viz: false },
  };
}

/** One series' forecast → one frame. `name` must be unique among the frames shown together. */
export function forecastToFrame(f: SeriesForecast, name: string, options: ForecastFrameOptions): DataFrame {
  const labels = { ...f.labels };
  const unit: FieldConfig = f.unit ? { unit: f.unit } : {};
  const color = { color: { mode: FieldColorModeId.Fixed, fixedColor: CONE_COLOR } };
  const field = (key: keyof typeof FORECAST_SUFFIX, custom: Custom, description: string): FieldDTO => ({
    name: key,
    type: FieldType.number,
    labels,
    values: f[key],
    config: {
      displayNameFromDS: `${name} ${FORECAST_SUFFIX[key]}`,
      ...unit,
      ...color,
      description,
      custom,
    },
  });
  const lower95 = `${name} ${FORECAST_SUFFIX.lower95}`;
  const lower80 = `${name} ${FORECAST_SUFFIX.lower80}`;
  const fields: FieldDTO[] = [
    { name: 'time', type: FieldType.time, values: f.timestamps, config: {} },
    field(
      'mean',
      {
        lineWidth: 2,
        lineStyle: { fill: 'dash', dash: [10, 6] },
        fillOpacity: 0,
        showPoints: VisibilityMode.Never,
      },
      `median forecast (${f.method})`,
    ),
    field('lower95', band(lower95, 0), 'lower end of the 95 % forecast interval'),
    field('upper95', band(lower95, 12, lower95), 'upper end of the 95 % forecast interval'),
    field('lower80', band(lower80, 0), 'lower end of the 80 % forecast interval'),
    field('upper80', band(lower80, 22, lower80), 'upper end of the 80 % forecast interval'),
  ];
  const notices: QueryResultMetaNotice[] = [];
  const stateNotice = STATE_NOTICES[f.state];
  if (stateNotice) {
    notices.push(stateNotice);
  }
  if (f.threshold) {
    notices.push({ severity: 'info', text: f.threshold.sentence });
  }
  const meta: QueryResultMeta = {
    preferredVisualisationType: 'graph',
    ...(options.executedQueryString ? { executedQueryString: options.executedQueryString } : {}),
    ...(notices.length ? { notices } : {}),
    // The TrafficLens panel draws the cone and the NOC tiles' "fills in" badge from these.
    custom: {
      forecast: {
        state: f.state,
        method: f.method,
        counter: f.counter,
        last: f.last,
        ...(f.threshold ? { threshold: f.threshold } : {}),
      },
    },
  };
  return createDataFrame({ refId: options.refId, name: `${name} ${FORECAST_SUFFIX.mean}`, meta, fields });
}

/** All forecasts of one query → frames, in the scorer's order, with unique names. */
export function forecastsToFrames(
  forecasts: readonly SeriesForecast[],
  options: ForecastFrameOptions,
): DataFrame[] {
  const names = uniqueNames(forecasts.map((f) => formatLegend(options.legendFormat, f.labels ?? {})));
  return forecasts.map((f, i) =>
    forecastToFrame(f, names[i], {
      ...options,
      executedQueryString: i === 0 ? options.executedQueryString : undefined,
    }),
  );
}
