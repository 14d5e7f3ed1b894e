/**
 * The maintenance-windows API, mounted by the service at /api/v1/windows: list, create, get, replace,
 * delete. The windows live in the store (store/windows.ts); a series matching an active one is
 * suppressed by the jobs (jobs/suppression.ts).
 *
 * Concurrent edits: PUT and DELETE may send `If-Match: <version>` (the version a GET returned); when the
 * window has changed since, the request is refused with 409 and nothing changes. Without If-Match the
 * last write wins.
 */
import type { Request, RequestHandler } from 'express';
import { matches, parseMatcher, type Labels, type LabelMatcher } from '../../contract/labels.js';
import {
  MaintenanceWindow,
  WINDOWS_BASE_PATH,
  WINDOWS_COMPONENTS,
  WINDOWS_INPUT_COMPONENTS,
  WindowInput,
  WindowPathParams,
  WindowResponse,
  WindowsListResponse,
} from '../../contract/windows.js';
import {
  activeAt,
  isRefusal,
  nextStart,
  StoreError,
  timingProblem,
  type Refusal,
  type Store,
  type WindowFields,
  type WindowRecord,
  type WindowsTable,
} from '../../store/index.js';
import { ApiError, parseOrThrow } from '../errors.js';
import { errorResponse as error } from './errors.js';
import { pathParam, type RouteGroup } from './route.js';

export interface WindowsRouteDeps {
  windows: WindowsTable;
  /** The labels of every series the jobs score now, for the warning about matchers that match none. */
  seriesLabels: () => Labels[];
  now?: () => number;
}

/** The store's state for /healthz: without its path (an absolute path tells a client about the host). */
export function storeHealth(store: Store): { state: 'ready' | 'unavailable'; problem: string | null } {
  const { state, problem } = store.health();
  return { state, problem };
}

/** The window as the API shows it: with whether it is active now and when it is next. */
export function present(w: WindowRecord, now: number): MaintenanceWindow {
  const active = activeAt(w, now);
  return { ...w, active, nextStart: active ? null : nextStart(w, now) };
}

function fieldsOf(body: unknown, now: number): WindowFields {
  const input = parseOrThrow(WindowInput, body);
  const fields: WindowFields = {
    matchers: input.matchers,
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    schedule: input.schedule ?? null,
    author: input.author,
    comment: input.comment,
  };
  const problem = timingProblem(fields, now);
  if (problem) {
    const path = problem.startsWith('cron') || problem.startsWith('the schedule') ? 'schedule' : 'endsAt';
    throw new ApiError(400, 'invalid_request', `invalid request body: ${path}: ${problem}`, 'validation', [
      { path, message: problem },
    ]);
  }
  return fields;
}

/** Accepted with a warning: matchers that match none of the series scored now. */
function warnings(fields: WindowFields, series: Labels[]): string[] {
  const matchers = fields.matchers.map((m) => parseMatcher(m) as LabelMatcher);
  if (series.some((labels) => matches(labels, matchers))) return [];
  return [
    `the matchers ${fields.matchers.join(', ')} match none of the ${series.length} series scored now; ` +
      'the window will suppress matching series if they appear',
  ];
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; absent → undefined. */
function ifMatch(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!m) {
    throw new ApiError(
      400,
      'invalid_request',
      `If-Match ${JSON.stringify(header.slice(0, 100))} is not a window version (send the version a GET returned, e.g. If-Match: 3)`,
      'validation',
      [{ path: 'If-Match', message: 'expected a version number' }],
    );
  }
  return Number(m[1]);
}

const notFound = (id: string) =>
  new ApiError(
    404,
    'not_found',
    `no maintenance window ${JSON.stringify(id.slice(0, 100))}; GET ${WINDOWS_BASE_PATH} lists them`,
    'routing',
  );

function refusal(id: string, r: Refusal, sent: number | undefined): ApiError {
  if (r.refused === 'not_found') return notFound(id);
  return new ApiError(
    409,
    'conflict',
    `window ${id} is at version ${r.currentVersion}, not ${sent} (If-Match): it was changed since you read it; GET it, reapply your change and send If-Match: ${r.currentVersion}`,
    'validation',
  );
}

/** Store failures as the API's: 503 naming the file, the service carries on (the feedback API's too). */
export function storeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    if (err.problem === 'busy') {
      throw new ApiError(503, 'overloaded', err.message, 'overload', [], { 'Retry-After': '1' });
    }
    throw new ApiError(503, 'storage_unavailable', err.message, 'internal');
  }
}

const NOT_FOUND = error('no window with that id');
export const STORE_503 = error(
  'the store cannot be written or read (read-only, full disk, unusable path: the message names the file); nothing was changed',
);

export function windowsApi(deps: WindowsRouteDeps): RouteGroup {
  const now = deps.now ?? Date.now;
  const { windows } = deps;
  const common = { tag: 'windows', secured: true } as const;
  const respond = (w: WindowRecord, fields: WindowFields): WindowResponse => ({
    window: present(w, now()),
    warnings: warnings(fields, deps.seriesLabels()),
  });

  const create: RequestHandler = (req, res) => {
    const fields = fieldsOf(req.body, now());
    const created = storeCall(() => windows.create(fields, now()));
    res.status(201).location(`${WINDOWS_BASE_PATH}/${created.id}`).json(respond(created, fields));
  };
  const replace: RequestHandler = (req, res) => {
    const id = pathParam(req, 'id');
    const version = ifMatch(req);
    const fields = fieldsOf(req.body, now());
    const out = storeCall(() => windows.update(id, fields, now(), version));
    if (isRefusal(out)) throw refusal(id, out, version);
    res.json(respond(out, fields));
  };
  const remove: RequestHandler = (req, res) => {
    const id = pathParam(req, 'id');
    const version = ifMatch(req);
    const out = storeCall(() => windows.delete(id, now(), version));
    if (isRefusal(out)) throw refusal(id, out, version);
    res.status(204).end();
  };

  return {
    mount: WINDOWS_BASE_PATH,
    components: { input: WINDOWS_INPUT_COMPONENTS, output: WINDOWS_COMPONENTS },
    routes: [
      {
        ...common,
        method: 'get',
        path: WINDOWS_BASE_PATH,
        operationId: 'listWindows',
        summary: 'Maintenance windows, with whether each is active now',
        responses: {
          200: { description: 'every window in the store', schema: WindowsListResponse },
          503: STORE_503,
        },
        handlers: [
          (_req, res) => {
            const t = now();
            const body: WindowsListResponse = {
              windows: storeCall(() => windows.list()).map((w) => present(w, t)),
            };
            res.json(body);
          },
        ],
      },
      {
        ...common,
        method: 'post',
        path: WINDOWS_BASE_PATH,
        operationId: 'createWindow',
        summary: 'Create a maintenance window',
        description:
          'Series matching all the matchers are suppressed while the window is active: scored and shown, ' +
          'never anomalous, not counted as alerts. A one-off window has startsAt and endsAt; a recurring one ' +
          'a schedule (cron in UTC + durationMs), optionally bounded by them. Matchers that match none of ' +
          'the series scored now are accepted, with a warning.',
        requestBody: WindowInput,
        responses: {
          201: { description: 'created (Location: its URL)', schema: WindowResponse },
          400: error(
            'invalid body: a malformed matcher, endsAt not after startsAt or already past, a cron expression that is invalid or never fires, neither a range nor a schedule',
          ),
          503: STORE_503,
        },
        handlers: [create],
      },
      {
        ...common,
        method: 'get',
        path: `${WINDOWS_BASE_PATH}/{id}`,
        operationId: 'getWindow',
        summary: 'One maintenance window',
        params: WindowPathParams,
        responses: {
          200: { description: 'the window', schema: MaintenanceWindow },
          404: NOT_FOUND,
          503: STORE_503,
        },
        handlers: [
          (req, res) => {
            const id = pathParam(req, 'id');
            const found = storeCall(() => windows.get(id));
            if (!found) throw notFound(id);
            res.json(present(found, now()));
          },
        ],
      },
      {
        ...common,
        method: 'put',
        path: `${WINDOWS_BASE_PATH}/{id}`,
        operationId: 'replaceWindow',
        summary: 'Replace a maintenance window (send If-Match: <version> to refuse a concurrent change)',
        description:
          'The body replaces every field; the version is bumped. With If-Match: <version>, the change is ' +
          'made only if the window is still at that version (409 otherwise); without it, the last write wins.',
        params: WindowPathParams,
        requestBody: WindowInput,
        responses: {
          200: { description: 'the window as replaced', schema: WindowResponse },
          400: error('invalid body (as for POST) or an If-Match that is not a version number'),
          404: NOT_FOUND,
          409: error('If-Match names a version the window is no longer at; nothing was changed'),
          503: STORE_503,
        },
        handlers: [replace],
      },
      {
        ...common,
        method: 'delete',
        path: `${WINDOWS_BASE_PATH}/{id}`,
        operationId: 'deleteWindow',
        summary: 'Delete a maintenance window (If-Match: <version> as for PUT)',
        params: WindowPathParams,
        responses: {
          204: { description: 'deleted' },
          400: error('an If-Match that is not a version number'),
          404: NOT_FOUND,
          409: error('If-Match names a version the window is no longer at; nothing was changed'),
          503: STORE_503,
        },
        handlers: [remove],
      },
    ],
  };
}
