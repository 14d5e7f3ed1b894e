/**
 * Incidents across series: the episodes of one group's series (and the group's own network-wide
 * episodes, network/pca.ts) that start close together become one incident. Pure: recomputed from the
 * episodes the job retains, so an incident survives a restart with the episodes themselves and its id
 * stays the same while its group and start do.
 *
 * Clustering, per group, oldest episode first: an episode joins the current incident when it starts
 * before the incident is over plus `windowMs` (an open incident takes every later episode); otherwise it
 * starts the next one. An incident needs `minMembers` anomalous series, or a network episode (kind
 * "network" then, the group abnormal as a whole while fewer series are anomalous alone).
 */
import { createHash } from 'node:crypto';
import type { Incident, IncidentContribution, IncidentMember } from '../contract/incidents.js';
import type { Episode } from '../contract/score.js';
import { severityLabel, severityOf } from '../contract/severity.js';
import { seriesKey, type Labels } from '../sources/source.js';

export interface SeriesEpisodes {
  labels: Labels;
  /** The series' episodes (those of maintenance windows already left out). */
  episodes: readonly Episode[];
}

/** An episode of the network-wide detector on one group. */
export interface NetworkEpisode {
  /** The group's label and value, e.g. {site: "ams"}. */
  group: Labels;
  start: number;
  end: number;
  open: boolean;
  peakTime: number;
  peakScore: number;
  contributions: IncidentContribution[];
}

export interface IncidentOptions {
  /** The job's groups; series group on the first (the broadest) label. */
  groups: readonly string[];
  windowMs: number;
  /** Anomalous series that make an incident without a network episode. */
  minMembers?: number;
}

export const DEFAULT_MIN_MEMBERS = 2;

/** The group a series belongs to ({site: "ams"}), or null when it lacks the group label. */
export function groupOf(labels: Labels, groups: readonly string[]): Labels | null {
  const name = groups[0];
  if (name === undefined) return null;
  const value = labels[name];
  return value === undefined ? null : { [name]: value };
}

type Item =
  | { kind: 'series'; labels: Labels; key: string; episode: Episode }
  | { kind: 'network'; episode: NetworkEpisode };

const itemStart = (item: Item) => item.episode.start;
const itemOpen = (item: Item) => item.episode.open;
const itemEnd = (item: Item) => item.episode.end;

/** Every incident of the job's series, the open ones first, then the newest first. */
export function buildIncidents(
  series: readonly SeriesEpisodes[],
  network: readonly NetworkEpisode[],
  options: IncidentOptions,
): Incident[] {
  const minMembers = options.minMembers ?? DEFAULT_MIN_MEMBERS;
  const byGroup = new Map<string, { group: Labels; size: number; items: Item[] }>();
  const entry = (group: Labels) => {
    const id = seriesKey(group);
    let found = byGroup.get(id);
    if (!found) byGroup.set(id, (found = { group, size: 0, items: [] }));
    return found;
  };
  for (const s of series) {
    const group = groupOf(s.labels, options.groups);
    if (!group) continue;
    const g = entry(group);
    g.size++;
    const key = seriesKey(s.labels);
    for (const episode of s.episodes) g.items.push({ kind: 'series', labels: s.labels, key, episode });
  }
  for (const episode of network) entry(episode.group).items.push({ kind: 'network', episode });

  const out: Incident[] = [];
  for (const { group, size, items } of byGroup.values()) {
    items.sort((a, b) => itemStart(a) - itemStart(b));
    let cluster: Item[] = [];
    let reach = -Infinity;
    const flush = () => {
      const incident = toIncident(group, size, cluster, minMembers);
      if (incident) out.push(incident);
    };
    for (const item of items) {
      if (cluster.length > 0 && itemStart(item) > reach) {
        flush();
        cluster = [];
        reach = -Infinity;
      }
      cluster.push(item);
      reach = Math.max(reach, itemOpen(item) ? Infinity : itemEnd(item) + options.windowMs);
    }
    if (cluster.length > 0) flush();
  }
  return out.sort((a, b) => Number(b.open) - Number(a.open) || b.start - a.start);
}

function toIncident(group: Labels, groupSize: number, items: Item[], minMembers: number): Incident | null {
  const members = new Map<string, IncidentMember>();
  const networkEpisodes = items.flatMap((item) => (item.kind === 'network' ? [item.episode] : []));
  // Several network episodes in one incident: the highest peak speaks for them, from the first start.
  const net = networkEpisodes.length
    ? {
        ...networkEpisodes.reduce((a, b) => (b.peakScore > a.peakScore ? b : a)),
        start: Math.min(...networkEpisodes.map((e) => e.start)),
      }
    : null;
  for (const item of items) {
    if (item.kind === 'network') continue;
    const e = item.episode;
    const m = members.get(item.key);
    if (!m) {
      members.set(item.key, {
        labels: { ...item.labels },
        start: e.start,
        end: e.end,
        open: e.open,
        peakTime: e.peakTime,
        peakScore: e.peakScore,
        severity: e.severity,
        severityLabel: e.severityLabel,
      });
    } else {
      m.end = Math.max(m.end, e.end);
      m.open ||= e.open;
      if (e.peakScore > m.peakScore) {
        Object.assign(m, { peakTime: e.peakTime, peakScore: e.peakScore });
        Object.assign(m, { severity: e.severity, severityLabel: e.severityLabel });
      }
    }
  }
  const list = [...members.values()].sort((a, b) => a.start - b.start || b.peakScore - a.peakScore);
  if (list.length < minMembers && !net) return null;
  const start = Math.min(...items.map(itemStart));
  const end = Math.max(...items.map(itemEnd));
  const open = items.some(itemOpen);
  const netSeverity = net ? severityOf(net.peakScore) : 0;
  const severity = Math.max(netSeverity, ...list.map((m) => m.severity));
  const origin = list[0]?.labels ?? net?.contributions[0]?.labels ?? null;
  const kind = list.length >= minMembers ? 'series' : 'network';
  const network = net
    ? {
        start: net.start,
        end: net.end,
        open: net.open,
        peakTime: net.peakTime,
        peakScore: net.peakScore,
        severity: netSeverity,
        contributions: net.contributions,
      }
    : null;
  return {
    id: incidentId(group, start),
    kind,
    group: { ...group },
    start,
    end,
    open,
    severity,
    severityLabel: severityLabel(severity),
    origin: origin ? { ...origin } : null,
    members: list,
    groupSize,
    network,
    summary: summarize(group, groupSize, list, network),
  };
}

/** 12 hex digits of the group and the start: the same incident keeps its id from tick to tick. */
export function incidentId(group: Labels, start: number): string {
  return createHash('sha256')
    .update(`${seriesKey(group)}@${start}`)
    .digest('hex')
    .slice(0, 12);
}

const clock = (t: number) => `${new Date(t).toISOString().slice(11, 16)} UTC`;

/** A member named by its own labels, the group's left out: `link=transit-1 direction=in`. */
function memberName(labels: Labels, group: Labels): string {
  const own = Object.entries(labels).filter(([name]) => !(name in group));
  return own.map(([name, value]) => `${name}=${value}`).join(' ') || 'the group';
}

function groupName(group: Labels): string {
  return Object.entries(group)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

/** "3 of 4 series at site=ams anomalous, first link=transit-1 at 05:50 UTC; group abnormal as a whole …". */
export function summarize(
  group: Labels,
  groupSize: number,
  members: readonly IncidentMember[],
  network: Incident['network'],
): string {
  const parts: string[] = [];
  const at = groupName(group);
  if (members.length > 0) {
    const first = members[0];
    parts.push(
      `${members.length} of ${groupSize} series at ${at} anomalous, first ${memberName(first.labels, group)} at ${clock(first.start)}`,
    );
  }
  if (network) {
    // The links that carry the residual (a share of 5% or more), three at most.
    const drivers = network.contributions
      .filter((c) => c.share >= 0.05)
      .slice(0, 3)
      .map((c) => `${memberName(c.labels, group)} ${Math.round(c.share * 100)}%`)
      .join(', ');
    parts.push(
      `${members.length > 0 ? 'the group' : `the series at ${at}`} abnormal as a whole since ${clock(network.start)} ` +
        `(network residual ${network.peakScore.toFixed(1)}× its boundary${drivers ? `, driven by ${drivers}` : ''})`,
    );
  }
  return parts.join('; ');
}
