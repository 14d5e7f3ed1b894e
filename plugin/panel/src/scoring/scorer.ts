/**
 * The chosen TrafficLens datasource, as the panel sees it: any instance with a `scoreSeries` method
 * (duck-typed: the datasource is another plugin's bundle, so its classes cannot be imported or checked
 * with instanceof). Errors are turned into a title and a detail the panel shows as they are.
 */
import type { DataFrame } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import type { DataSourceRef } from '@grafana/schema';
import { TRAFFICLENS_DATASOURCE_ID } from '../types';
import type { SeriesToScore } from './batch';

export interface ScoreOptions {
  detector?: string;
  sensitivity?: number;
  /** the IANA time zone whose local clock the series keep (the datasource's ScoreSeriesOptions) */
  timezone?: string;
  refId?: string;
  requestId?: string;
  signal?: AbortSignal;
}

/** The part of the TrafficLens datasource the panel uses (see its `DataSource.scoreSeries`). */
export interface SeriesScorer {
  name: string;
  scoreSeries(series: SeriesToScore[], options: ScoreOptions): Promise<DataFrame[]>;
}

export class ScoringProblem extends Error {
  constructor(
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${title}: ${detail}`);
    this.name = 'ScoringProblem';
  }
}

const refName = (ref: DataSourceRef | string) =>
  typeof ref === 'string' ? ref : (ref.uid ?? ref.type ?? '?');

/** The datasource named in the panel options, checked to be one that can score. */
export async function getScorer(ref: DataSourceRef | string): Promise<SeriesScorer> {
  let ds: { name?: string; type?: string; meta?: { id?: string }; scoreSeries?: unknown };
  try {
    ds = await getDataSourceSrv().get(ref);
  } catch (err) {
    throw new ScoringProblem(
      'Scoring datasource not found',
      `“${refName(ref)}” (Score with) cannot be loaded: ${messageOf(err)}. Choose a TrafficLens datasource in the panel options.`,
    );
  }
  if (typeof ds?.scoreSeries !== 'function') {
    const type = ds?.meta?.id ?? ds?.type ?? 'unknown type';
    throw new ScoringProblem(
      'Not a TrafficLens datasource',
      `“${ds?.name ?? refName(ref)}” (${type}) cannot score series. Under Score with, choose a datasource of type ${TRAFFICLENS_DATASOURCE_ID}.`,
    );
  }
  const scoreSeries = ds.scoreSeries as SeriesScorer['scoreSeries'];
  return {
    name: ds.name ?? refName(ref),
    scoreSeries: (series, options) => scoreSeries.call(ds, series, options),
  };
}

export function isAbort(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

/** What an error says: its message, else the scorer's error body (`data.error.message`) or Grafana's (`data.message`). */
export function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { message?: unknown; data?: { message?: unknown; error?: { message?: unknown } } };
    if (typeof e.message === 'string' && e.message) {
      return e.message;
    }
    if (typeof e.data?.error?.message === 'string') {
      return e.data.error.message;
    }
    if (typeof e.data?.message === 'string') {
      return e.data.message;
    }
  }
  return String(err);
}

/** A failed scoring request → what the panel says: the scorer's own message, and what to do on a 413. */
export function describeScoringError(err: unknown, scorerName: string): ScoringProblem {
  if (err instanceof ScoringProblem) {
    return err;
  }
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  const message = messageOf(err);
  if (status === 413) {
    return new ScoringProblem(
      'Too much data to score',
      `${scorerName} refused the request as too large: ${message}. Narrow the query or the time range, lower Max data points, or raise the scorer's limits (TRAFFICLENS_MAX_BODY_BYTES, TRAFFICLENS_MAX_SERIES, TRAFFICLENS_MAX_POINTS_PER_SERIES).`,
    );
  }
  return new ScoringProblem(`Scoring with ${scorerName} failed`, message);
}
