/**
 * Maintenance windows, Alertmanager-silence style: label matchers and a time range, or a recurring
 * schedule (a cron expression in UTC and a duration). A series matching a window that is active is
 * `suppressed`: still scored and shown, never an alert. These shapes validate the windows API's bodies
 * and document it (api/routes/windows.ts); the store keeps the windows (store/windows.ts).
 */
import { z } from 'zod';
import { parseMatcher } from './labels.js';
import { EpochMs, inEpochMsRange } from './score.js';

export const WINDOWS_BASE_PATH = '/api/v1/windows';

/**
 * The service's time range (score.ts, EPOCH_MS_RANGE), in whole milliseconds: an endsAt of −1.79e308
 * was accepted by the schema and answered 500 (its Date could not be written in the order check below).
 */
const epochMs = EpochMs.int();
const DAY_MS = 86_400_000;
export const MAX_WINDOW_MATCHERS = 20;
export const MAX_COMMENT_CHARS = 2000;

/** A matcher as PromQL writes it (site="ams", link=~"transit-.*"), checked by the matcher language. */
const MatcherText = z
  .string()
  .max(1024)
  .superRefine((text, ctx) => {
    const parsed = parseMatcher(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

export const WindowSchedule = z
  .object({
    cron: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe(
        'when each occurrence starts: five cron fields (minute hour day-of-month month day-of-week) or ' +
          '@hourly, @daily, @weekly, @monthly, @yearly; evaluated in UTC',
      ),
    durationMs: z
      .number()
      .int()
      .min(60_000)
      .max(31 * DAY_MS)
      .describe('how long each occurrence lasts, in milliseconds (1 minute to 31 days)'),
  })
  .strict()
  .describe('a recurring window: active from each time the cron expression fires, for durationMs');
export type WindowSchedule = z.infer<typeof WindowSchedule>;

const WindowFields = z
  .object({
    matchers: z
      .array(MatcherText)
      .min(1)
      .max(MAX_WINDOW_MATCHERS)
      .describe(
        'PromQL-style label matchers; a series matching all of them is suppressed while the window is active',
      ),
    startsAt: epochMs
      .nullable()
      .optional()
      .describe('start of a one-off window; with a schedule, the first moment it may be active'),
    endsAt: epochMs
      .nullable()
      .optional()
      .describe('end of a one-off window (exclusive); with a schedule, the moment it stops recurring'),
    schedule: WindowSchedule.nullable().optional(),
    author: z.string().trim().min(1).max(200).describe('who created or last changed the window'),
    comment: z.string().max(MAX_COMMENT_CHARS).default('').describe('why: a ticket, a change, a reason'),
  })
  .strict();

/** POST and PUT bodies: either startsAt and endsAt, or a schedule (optionally bounded by them). */
export const WindowInput = WindowFields.superRefine((w, ctx) => {
  const start = w.startsAt ?? null;
  const end = w.endsAt ?? null;
  if (!w.schedule && (start === null || end === null)) {
    ctx.addIssue({
      code: 'custom',
      path: [start === null ? 'startsAt' : 'endsAt'],
      message: 'a window needs startsAt and endsAt, or a schedule',
    });
  }
  // zod runs this refinement even where a time failed its range: that one is reported already, and its
  // Date could not be written.
  if (start !== null && end !== null && inEpochMsRange(start) && inEpochMsRange(end) && end <= start) {
    ctx.addIssue({
      code: 'custom',
      path: ['endsAt'],
      message: `endsAt (${new Date(end).toISOString()}) must be after startsAt (${new Date(start).toISOString()})`,
    });
  }
}).describe('a maintenance window to create, or to replace one with');
export type WindowInput = z.output<typeof WindowInput>;

export const MaintenanceWindow = z
  .object({
    id: z.string(),
    version: z
      .number()
      .int()
      .describe('bumped by every change; send it as If-Match to change only the version you read'),
    matchers: z.array(z.string()),
    startsAt: epochMs.nullable(),
    endsAt: epochMs.nullable(),
    schedule: WindowSchedule.nullable(),
    author: z.string(),
    comment: z.string(),
    createdAt: epochMs,
    updatedAt: epochMs,
    active: z.boolean().describe('active now'),
    nextStart: epochMs
      .nullable()
      .describe('when it is next active, if it is not now and will be again; null otherwise'),
  })
  .describe('a maintenance window');
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const WindowResponse = z.object({
  window: MaintenanceWindow,
  warnings: z
    .array(z.string())
    .describe('accepted, but worth a look: e.g. its matchers match none of the series scored now'),
});
export type WindowResponse = z.infer<typeof WindowResponse>;

export const WindowsListResponse = z.object({ windows: z.array(MaintenanceWindow) });
export type WindowsListResponse = z.infer<typeof WindowsListResponse>;

export const WindowPathParams = z.object({ id: z.string().describe('window id') });

export const WINDOWS_INPUT_COMPONENTS: [z.ZodType, string][] = [
  [WindowInput, 'WindowInput'],
  [WindowSchedule, 'WindowSchedule'],
];
export const WINDOWS_COMPONENTS: [z.ZodType, string][] = [
  [WindowsListResponse, 'WindowsListResponse'],
  [WindowResponse, 'WindowResponse'],
  [MaintenanceWindow, 'MaintenanceWindow'],
];
