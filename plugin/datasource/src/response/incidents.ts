/**
 * A job's incidents (`GET /api/v1/jobs/:name/incidents`) → one frame with a row per incident, read by
 * Grafana as region annotations through its standard field mapping (`time`, `timeEnd`, `title`, `text`,
 * `tags`, `color`): one region for a site outage instead of one per link. The other fields make the
 * same frame a table of incidents. Pure: no requests, no Grafana runtime.
 */
import { FieldType, type DataFrame } from '@grafana/data';
import { STATUS_COLORS } from '../api/severity.gen';
import type { Incident, IncidentMember } from '../api/types';
import { regionFrame } from './regions';

export interface IncidentFrameOptions {
  refId: string;
  /** added to every incident's tags, e.g. `job:edge` */
  tags?: readonly string[];
  executedQueryString?: string;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const pairs = (labels: Record<string, string>) =>
  Object.entries(labels).map(([name, value]) => `${name}=${value}`);
const clock = (t: number) => `${new Date(t).toISOString().slice(11, 16)} UTC`;

/**
 * A member named by its own labels (`link=transit-1`), the group's left out and, with `shared`, the
 * labels every member has alike (`metric=…`), which tell no member from another.
 */
export function memberName(
  labels: Record<string, string>,
  group: Record<string, string>,
  shared: ReadonlySet<string> = new Set(),
): string {
  const own = Object.entries(labels).filter(([name]) => !(name in group) && !shared.has(name));
  return pairs(Object.fromEntries(own)).join(' ') || 'the group';
}

/** Labels with one value across all of two or more members. */
function sharedLabels(members: readonly IncidentMember[]): Set<string> {
  if (members.length < 2) {
    return new Set();
  }
  const [first, ...rest] = members;
  return new Set(
    Object.entries(first.labels)
      .filter(([name, value]) => rest.every((m) => m.labels[name] === value))
      .map(([name]) => name),
  );
}

/** "Critical incident at site=ams · 4 of 6 series" ("network incident" when the group as a whole is off). */
export function incidentTitle(incident: Incident): string {
  const what = incident.kind === 'network' ? 'network incident' : 'incident';
  const count =
    incident.members.length > 0 ? ` · ${incident.members.length} of ${incident.groupSize} series` : '';
  return `${capitalize(incident.severityLabel)} ${what} at ${pairs(incident.group).join(' ')}${count}`;
}

function memberLine(member: IncidentMember, group: Record<string, string>, shared: Set<string>): string {
  const until = member.open ? 'still going on' : `until ${clock(member.end)}`;
  return `• ${memberName(member.labels, group, shared)}: ${member.severityLabel} (severity ${Math.round(
    member.severity,
  )}) from ${clock(member.start)}, ${until}`;
}

/** The scorer's summary (siblings, origin, network evidence), the probable origin, then every member. */
export function incidentText(incident: Incident): string {
  const lines = [incident.summary];
  const shared = sharedLabels(incident.members);
  if (incident.origin) {
    lines.push(`probable origin: ${memberName(incident.origin, incident.group, shared)}`);
  }
  lines.push(...incident.members.map((m) => memberLine(m, incident.group, shared)));
  if (incident.open) {
    lines.push('still going on');
  }
  return lines.join('\n');
}

/** Severity, kind, `incident`, the extra tags, then the group's labels (`site:ams`) to filter on. */
export function incidentTags(incident: Incident, extra: readonly string[] = []): string[] {
  return [
    incident.severityLabel,
    incident.kind,
    'incident',
    ...extra,
    ...Object.entries(incident.group).map(([k, v]) => `${k}:${v}`),
  ];
}

/** Incidents, oldest first (the scorer lists the open ones first), as one frame. */
export function incidentsToFrame(incidents: readonly Incident[], options: IncidentFrameOptions): DataFrame {
  const rows = [...incidents].sort((a, b) => a.start - b.start);
  const column = <T>(pick: (incident: Incident) => T) => rows.map(pick);
  return regionFrame(
    { refId: options.refId, name: 'incidents', executedQueryString: options.executedQueryString },
    rows,
    (i) => ({
      time: i.start,
      timeEnd: i.end,
      title: incidentTitle(i),
      text: incidentText(i),
      tags: incidentTags(i, options.tags),
      color: STATUS_COLORS[i.severityLabel],
    }),
    [
      { name: 'id', type: FieldType.string, values: column((i) => i.id) },
      { name: 'kind', type: FieldType.string, values: column((i) => i.kind) },
      { name: 'group', type: FieldType.string, values: column((i) => pairs(i.group).join(' ')) },
      {
        name: 'origin',
        type: FieldType.string,
        values: column((i) => (i.origin ? memberName(i.origin, i.group, sharedLabels(i.members)) : '')),
      },
      { name: 'members', type: FieldType.number, values: column((i) => i.members.length) },
      { name: 'groupSize', type: FieldType.number, values: column((i) => i.groupSize) },
      {
        name: 'severity',
        type: FieldType.number,
        values: column((i) => i.severity),
        config: { min: 0, max: 100 },
      },
      { name: 'severityLabel', type: FieldType.string, values: column((i) => i.severityLabel) },
      { name: 'open', type: FieldType.boolean, values: column((i) => i.open) },
    ],
  );
}
