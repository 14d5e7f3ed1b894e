/**
 * A route is declared once with its handlers and its documentation, so the app mounts exactly what
 * the OpenAPI document describes (and the 405 handler knows which methods a path has).
 */
import type { RequestHandler } from 'express';
import type { z } from 'zod';

export interface ResponseDoc {
  description: string;
  /** JSON body schema; must be registered in openapi.ts so it becomes a named component. */
  schema?: z.ZodType;
  /** Non-JSON body, e.g. the Prometheus text format. */
  contentType?: string;
}

export interface RouteSpec {
  method: 'get' | 'post';
  /** Static Express path, identical to the OpenAPI path. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: 'scoring' | 'operations';
  /**
   * Documented with the bearer scheme; enforced when a token is set for everything under /api/, and
   * for /metrics unless TRAFFICLENS_METRICS_AUTH=false (app.ts).
   */
  secured: boolean;
  requestBody?: z.ZodType;
  responses: Record<number, ResponseDoc>;
  handlers: RequestHandler[];
}
