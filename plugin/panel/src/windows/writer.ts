/**
 * Where the panel sends what an operator tells the scorer (a maintenance window, feedback on an episode):
 * the first TrafficLens datasource among the panel's queries and its "Score with" choice that has the
 * method for it (duck-typed, as for scoring: the datasource is another plugin's bundle, see its
 * `DataSource.createMaintenanceWindow` and `DataSource.sendEpisodeFeedback`).
 */
import { getDataSourceSrv } from '@grafana/runtime';
import type { DataSourceRef } from '@grafana/schema';

/** What the panel asks the datasource for (its MaintenanceWindowRequest). */
export interface WindowRequest {
  labels: Record<string, string>;
  startsAt: number;
  endsAt: number;
  author: string;
  comment?: string;
}

/** The part of the scorer's answer the panel shows. */
export interface WindowAnswer {
  window: { id: string; matchers: string[]; startsAt: number | null; endsAt: number | null };
  warnings: string[];
}

/** What the panel sends from an episode's menu (the datasource's EpisodeFeedbackRequest). */
export interface FeedbackRequest {
  job: string;
  labels: Record<string, string>;
  episodeStart: number;
  episodeEnd?: number;
  verdict: 'false_positive' | 'true_incident';
  note?: string;
  author?: string;
}

export interface FeedbackAnswer {
  feedback: { id: string };
  /** what the feedback changes, in words */
  effect: string;
}

export interface WindowWriter {
  name: string;
  create(request: WindowRequest): Promise<WindowAnswer>;
}

export interface FeedbackWriter {
  name: string;
  send(request: FeedbackRequest): Promise<FeedbackAnswer>;
  /** Undoes feedback by its id (the datasource's undoEpisodeFeedback); null where the datasource has none. */
  undo: ((id: string) => Promise<void>) | null;
}

type Ref = DataSourceRef | string | null | undefined;

/** The first of `refs` whose datasource has `method`, bound to it; null when none has (or none loads). */
async function findMethod<A, R>(
  refs: readonly Ref[],
  method: 'createMaintenanceWindow' | 'sendEpisodeFeedback' | 'setSeriesSensitivity',
): Promise<{ name: string; ds: unknown; call: (arg: A) => Promise<R> } | null> {
  const seen = new Set<string>();
  for (const ref of refs) {
    if (!ref) {
      continue;
    }
    const key = typeof ref === 'string' ? ref : (ref.uid ?? ref.type ?? '');
    if (!key || seen.has(key)) {
      continue;
    }
    seen.add(key);
    let ds: Record<string, unknown> & { name?: string };
    try {
      ds = (await getDataSourceSrv().get(ref)) as unknown as typeof ds;
    } catch {
      continue;
    }
    const fn = ds?.[method];
    if (typeof fn === 'function') {
      // A tuple argument is spread (methods of several arguments), anything else passed as the one argument.
      const call = (arg: A) =>
        Array.isArray(arg)
          ? (fn as (...a: unknown[]) => Promise<R>).apply(ds, arg)
          : (fn as (a: A) => Promise<R>).call(ds, arg);
      return { name: ds.name ?? key, ds, call };
    }
  }
  return null;
}

export async function findWindowWriter(refs: readonly Ref[]): Promise<WindowWriter | null> {
  const found = await findMethod<WindowRequest, WindowAnswer>(refs, 'createMaintenanceWindow');
  return found && { name: found.name, create: found.call };
}

export async function findFeedbackWriter(refs: readonly Ref[]): Promise<FeedbackWriter | null> {
  const found = await findMethod<FeedbackRequest, FeedbackAnswer>(refs, 'sendEpisodeFeedback');
  if (!found) {
    return null;
  }
  const ds = found.ds as { undoEpisodeFeedback?: (id: string) => Promise<void> };
  const undo =
    typeof ds.undoEpisodeFeedback === 'function' ? (id: string) => ds.undoEpisodeFeedback!(id) : null;
  return { name: found.name, send: found.call, undo };
}

/** What a series' sensitivity form asks the datasource (its previewSeriesAlerts and setSeriesSensitivity). */
export interface SeriesSensitivityWriter {
  name: string;
  preview(job: string, labels: Record<string, string>, sensitivity: number): Promise<PreviewAnswer>;
  set(
    job: string,
    labels: Record<string, string>,
    sensitivity: number | null,
    author: string,
  ): Promise<unknown>;
}

/** The scorer's preview, as far as the form reads it. */
export interface PreviewAnswer {
  candidates: Array<{ sensitivity: number; summary: string }>;
}

export async function findSeriesSensitivityWriter(
  refs: readonly Ref[],
): Promise<SeriesSensitivityWriter | null> {
  type SetArgs = [string, Record<string, string>, number | null, string];
  const found = await findMethod<SetArgs, unknown>(refs, 'setSeriesSensitivity');
  if (!found) {
    return null;
  }
  const ds = found.ds as {
    previewSeriesAlerts?: (job: string, labels: Record<string, string>, s: number) => Promise<PreviewAnswer>;
  };
  return {
    name: found.name,
    preview: (job, labels, sensitivity) => {
      if (typeof ds.previewSeriesAlerts !== 'function') {
        return Promise.reject(new Error('this TrafficLens datasource cannot preview a series'));
      }
      return ds.previewSeriesAlerts(job, labels, sensitivity);
    },
    set: (job, labels, sensitivity, author) => found.call([job, labels, sensitivity, author]),
  };
}
