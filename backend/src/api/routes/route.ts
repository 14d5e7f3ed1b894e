/**
 * A route is declared once with its handlers and its documentation, so the app mounts exactly what
 * the OpenAPI document describes (and the 405 handler knows which methods a path has).
 */
import { Router, type Request, type RequestHandler } from 'express';
import type { z } from 'zod';

export interface ResponseDoc {
  description: string;
  /** JSON body schema; must be registered as a component (openapi.ts, or its group's) so it becomes a named one. */
  schema?: z.ZodType;
  /** Non-JSON body, e.g. the Prometheus text format. */
  contentType?: string;
}

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'delete';
  /**
   * The OpenAPI path. A `{name}` segment is a path parameter (documented by `params`, mounted as
   * Express' `:name`); without one it is also the Express path.
   */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: 'scoring' | 'operations' | 'jobs' | 'models' | 'windows' | 'feedback';
  /**
   * Documented with the bearer scheme; enforced when a token is set for everything under /api/, and
   * for /metrics unless TRAFFICLENS_METRICS_AUTH=false (app.ts).
   */
  secured: boolean;
  /** The path parameters, one field each (its .describe() is the parameter's description). */
  params?: z.ZodObject;
  /**
   * The query parameters, one field each, as the handler validates them (their input side is
   * documented; an array field is a repeated parameter).
   */
  query?: z.ZodObject;
  requestBody?: z.ZodType;
  responses: Record<number, ResponseDoc>;
  handlers: RequestHandler[];
}

/** Component schemas as [schema, id]: generated together, so one may reference another by id. */
export type ComponentList = [z.ZodType, string][];

/**
 * Routes mounted together under one path prefix (the jobs and models APIs): `before` runs for every
 * request under the prefix, matched or not, and a request under it that no route matches (an unknown
 * path or method) leaves the group for the app's 404 as a plain Express router would.
 */
export interface RouteGroup {
  /** Every route's path starts with it. */
  mount: string;
  routes: RouteSpec[];
  /** Middleware for everything under the mount, before the routes (e.g. an availability check). */
  before?: RequestHandler[];
  /**
   * Schemas its routes reference, generated per group: a schema registered in another group is
   * inlined here rather than referenced (as the committed document has it).
   */
  components: { input?: ComponentList; output?: ComponentList };
  /**
   * Lists each operation's tags and security before its operationId. The jobs and models operations
   * were first written by hand in that order, and key order is part of the committed document's bytes.
   */
  tagsFirst?: boolean;
}

/** A `{name}` path parameter: one path segment, so a string (only Express wildcards give arrays). */
export const pathParam = (req: Request, name: string): string => String(req.params[name]);

/** `/api/v1/jobs/{name}/series` → `/api/v1/jobs/:name/series`. */
export const expressPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1');

/** The group as an Express router to mount at `group.mount` (the paths are relative to it). */
export function groupRouter(group: RouteGroup): Router {
  const router = Router();
  if (group.before?.length) router.use(...group.before);
  for (const route of group.routes) {
    if (!route.path.startsWith(group.mount)) {
      throw new Error(`${route.method.toUpperCase()} ${route.path} is outside its group's ${group.mount}`);
    }
    router[route.method](expressPath(route.path.slice(group.mount.length)) || '/', ...route.handlers);
  }
  return router;
}
