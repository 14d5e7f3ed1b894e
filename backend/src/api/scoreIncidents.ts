/**
 * Incidents across the series of one `POST /api/v1/score` request (request field `groups`): the same
 * grouping as a continuous job's (jobs/incidents.ts), on the episodes the request's series were scored
 * with. A batch has no network-wide detector: incidents come from co-anomalous series only.
 */
import type { Incident } from '../contract/incidents.js';
import type { SeriesScore } from '../contract/score.js';
import { buildIncidents } from '../jobs/incidents.js';

/** Episodes of one group join an incident when they start within this many steps of it, as in a job. */
export const INCIDENT_WINDOW_STEPS = 5;

type Scored = Pick<SeriesScore, 'labels' | 'episodes' | 'cleaning'>;

/** The incidents of a request's scored series grouped by `groups` (the first label forms the groups). */
export function scoreIncidents(series: readonly Scored[], groups: readonly string[]): Incident[] {
  const step = Math.max(0, ...series.map((s) => s.cleaning.stepMs));
  return buildIncidents(
    series.map((s) => ({ labels: s.labels, episodes: s.episodes })),
    [],
    { groups, windowMs: INCIDENT_WINDOW_STEPS * step },
  );
}

/**
 * The groups a raw JSON body asks for, read only when the bytes name a `groups` field at all: the body
 * is parsed on the main thread again for such requests alone (scoring parsed it in a worker), so
 * requests without groups cost nothing more. Call after the body was validated.
 */
export function requestedGroups(body: Buffer): string[] | undefined {
  if (body.indexOf('"groups"') < 0) return undefined;
  const groups = (JSON.parse(body.toString('utf8')) as { groups?: unknown }).groups;
  return Array.isArray(groups) && groups.every((g) => typeof g === 'string') ? groups : undefined;
}

/**
 * `{"series":[…]}` as serialized by the executor, with `"incidents":[…]` added: the series are parsed
 * back for their labels, episodes and step (a cost only requests with groups pay).
 */
export function withIncidents(response: string, groups: readonly string[]): string {
  const { series } = JSON.parse(response) as { series: Scored[] };
  const incidents = scoreIncidents(series, groups);
  return `${response.slice(0, response.lastIndexOf('}'))},"incidents":${JSON.stringify(incidents)}}`;
}
