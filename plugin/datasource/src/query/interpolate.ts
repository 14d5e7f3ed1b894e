import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import type { TrafficLensQuery } from '../types';

type Replacer = Pick<TemplateSrv, 'replace'>;

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;
const escapeRegex = (s: string) => s.replace(REGEX_SPECIAL, '\\$&');
const escapeQuoted = (s: string) => s.replace(/[\\"']/g, '\\$&');

/**
 * Formats a variable's value inside label matchers, as the Prometheus datasource does: a plain
 * single value is inserted as is (quotes escaped); a multi-value or "All" variable becomes a regex
 * alternation `(a|b)`, to be used with `=~`.
 */
export function formatMatcherValue(
  value: unknown,
  variable?: { multi?: boolean; includeAll?: boolean },
): string {
  if (Array.isArray(value)) {
    const escaped = value.map((v) => escapeQuoted(escapeRegex(String(v))));
    return escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
  }
  const text = String(value ?? '');
  return variable?.multi || variable?.includeAll ? escapeQuoted(escapeRegex(text)) : escapeQuoted(text);
}

/**
 * The query with dashboard and scoped variables replaced in every text that may hold them. Matchers and
 * PromQL get multi-value variables as regex alternations, like the Prometheus datasource does.
 */
export function interpolateQuery(
  query: TrafficLensQuery,
  scopedVars: ScopedVars,
  templateSrv: Replacer,
): TrafficLensQuery {
  const replace = (text: string | undefined) => (text ? templateSrv.replace(text, scopedVars) : text);
  return {
    ...query,
    job: replace(query.job)?.trim(),
    expr: query.expr ? templateSrv.replace(query.expr, scopedVars, formatMatcherValue) : query.expr,
    step: replace(query.step)?.trim(),
    filter: query.filter ? templateSrv.replace(query.filter, scopedVars, formatMatcherValue) : query.filter,
    legendFormat: replace(query.legendFormat),
    timezone: replace(query.timezone)?.trim(),
  };
}
