/**
 * Incidents across series (GET /api/v1/jobs/{name}/incidents): the co-anomalous series of one group
 * (the job's `groups:`, e.g. every series of site ams) within a short window, told as one incident
 * instead of one alert per series, and anomalies of the group as a whole (the network-wide PCA
 * detector) that no series shows alone.
 */
import { z } from 'zod';
import { SeverityLabel } from './score.js';
import { TimeParam } from './jobs.js';

const LabelSet = z.record(z.string(), z.string());

export const IncidentMember = z.object({
  labels: LabelSet.describe("the series' labels"),
  start: z.number().describe("start of the series' first episode in the incident (ms since epoch)"),
  end: z.number().describe('end of its last episode in the incident'),
  open: z.boolean(),
  peakTime: z.number(),
  peakScore: z.number(),
  severity: z.number().min(0).max(100),
  severityLabel: SeverityLabel,
});
export type IncidentMember = z.infer<typeof IncidentMember>;

export const IncidentContribution = z.object({
  labels: LabelSet,
  share: z.number().min(0).max(1).describe("the series' share of the group's squared residual at the peak"),
});
export type IncidentContribution = z.infer<typeof IncidentContribution>;

/** The network-wide detector's episode inside the incident: the group's traffic matrix as a whole. */
export const NetworkEvidence = z.object({
  start: z.number(),
  end: z.number(),
  open: z.boolean(),
  peakTime: z.number(),
  peakScore: z.number().describe('residual of the group vector at the peak; 1 is the boundary'),
  severity: z.number().min(0).max(100),
  contributions: z.array(IncidentContribution).describe('the largest shares first'),
});
export type NetworkEvidence = z.infer<typeof NetworkEvidence>;

export const IncidentKind = z
  .enum(['series', 'network'])
  .describe(
    'series: several series of the group anomalous together; network: the group as a whole is abnormal (PCA residual) while fewer series are anomalous alone',
  );
export type IncidentKind = z.infer<typeof IncidentKind>;

export const Incident = z.object({
  id: z.string().describe('stable while the incident keeps its group and start'),
  kind: IncidentKind,
  group: LabelSet.describe("the group's label (the first of the job's groups) and its value"),
  start: z.number(),
  end: z.number().describe('end of the last episode in it; while open, its newest point'),
  open: z.boolean(),
  severity: z.number().min(0).max(100).describe('the worst of its members and of the network episode'),
  severityLabel: SeverityLabel,
  origin: LabelSet.nullable().describe('the probable origin: the first member to turn anomalous'),
  members: z.array(IncidentMember).describe('the anomalous series, first to turn anomalous first'),
  groupSize: z.number().int().describe('series of the group the job scores now'),
  network: NetworkEvidence.nullable(),
  summary: z
    .string()
    .describe('e.g. "3 of 4 series at site=ams anomalous, first link=transit-1 at 05:50 UTC"'),
});
export type Incident = z.infer<typeof Incident>;

export const JobIncidentsResponse = z.object({
  job: z.string(),
  groups: z.array(z.string()).describe("the job's groups; incidents group series on the first"),
  incidents: z.array(Incident).describe('the open ones first, then the newest first'),
});
export type JobIncidentsResponse = z.infer<typeof JobIncidentsResponse>;

const timeParam = (description: string) =>
  TimeParam.optional().describe(`${description}: epoch milliseconds or ISO 8601 (e.g. 2025-01-13T08:00:00Z)`);

export const JobIncidentsQuery = z
  .object({
    from: timeParam('incidents going on at or after this'),
    to: timeParam('incidents started at or before this'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'must not be before from',
    path: ['to'],
  });

export const INCIDENTS_COMPONENTS: [z.ZodType, string][] = [
  [JobIncidentsResponse, 'JobIncidentsResponse'],
  [Incident, 'Incident'],
];
