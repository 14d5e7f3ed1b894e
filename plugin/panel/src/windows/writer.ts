/**
 * Where the panel sends a maintenance window: the first TrafficLens datasource among the panel's
 * queries and its "Score with" choice that can create one (duck-typed, as for scoring: the datasource is
 * another plugin's bundle, see its `DataSource.createMaintenanceWindow`).
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

export interface WindowWriter {
  name: string;
  create(request: WindowRequest): Promise<WindowAnswer>;
}

type Ref = DataSourceRef | string | null | undefined;

/** The first of `refs` whose datasource can create windows, or null when none can (or none loads). */
export async function findWindowWriter(refs: readonly Ref[]): Promise<WindowWriter | null> {
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
    let ds: { name?: string; createMaintenanceWindow?: unknown };
    try {
      ds = await getDataSourceSrv().get(ref);
    } catch {
      continue;
    }
    if (typeof ds?.createMaintenanceWindow === 'function') {
      const create = ds.createMaintenanceWindow as WindowWriter['create'];
      return { name: ds.name ?? key, create: (request) => create.call(ds, request) };
    }
  }
  return null;
}
