/**
 * A route's query string into its schema's input. Express's query parser gives a string for a parameter
 * given once, an array for a repeated one and an object for `a[b]=` forms; each parameter is taken in the
 * one form its route declares, and every error is a 400 that names the parameter (`match.1` for the
 * second matcher), so a client knows which one to fix.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { ApiError, type ErrorDetail } from '../errors.js';

export interface QueryParams {
  /** Parameters given at most once, as a string. */
  single: readonly string[];
  /** Parameters that may be repeated (`match=a&match=b`): an array of strings for the schema. */
  repeated?: readonly string[];
}

const invalid = (message: string, details: ErrorDetail[]) =>
  new ApiError(400, 'invalid_request', message, 'validation', details);

/** The declared parameters of `query`, validated by `schema` (unknown parameters are ignored). */
export function parseQuery<T extends z.ZodType>(
  schema: T,
  query: Request['query'],
  params: QueryParams,
): z.output<T> {
  const raw: Record<string, unknown> = {};
  for (const param of params.repeated ?? []) {
    const value = query[param];
    if (value === undefined) continue;
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === 'string')) {
      throw invalid(`invalid query parameter ${param}: give each one as a string`, [
        { path: param, message: 'give each one as a string' },
      ]);
    }
    raw[param] = list;
  }
  for (const param of params.single) {
    const value = query[param];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      throw invalid(`invalid query parameter ${param}: give it once, as a string`, [
        { path: param, message: 'give it once, as a string' },
      ]);
    }
    raw[param] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    throw invalid(`invalid query parameter ${details[0].path}: ${details[0].message}`, details);
  }
  return parsed.data;
}
