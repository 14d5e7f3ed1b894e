/**
 * The OpenAPI 3.1 document, generated from the RouteSpecs the app mounts and the zod schemas that
 * validate requests (OpenAPI 3.1 schemas are JSON Schema 2020-12, zod's default target).
 */
import { z } from 'zod';
import {
  CleaningReport,
  Episode,
  Explanation,
  ModelInfo,
  ScoreOptions,
  ScoreResponse,
  SeriesInput,
  SeriesScore,
} from '../contract/score.js';
import { componentSchemas, schemaRef } from '../contract/openapi.js';
import { QueryInfo, QueryRequest, QueryResponse } from '../contract/query.js';
import type { RouteSpec } from './routes/route.js';
import {
  DetectorInfo,
  DetectorsResponse,
  ErrorResponse,
  HealthResponse,
  ReadyResponse,
  ScoreRequestBody,
} from '../contract/api.js';

export type OpenApiPaths = Record<string, Record<string, unknown>>;

export interface OpenApiExtension {
  /** Path items to merge (the jobs API); a path already documented here is an error. */
  paths?: OpenApiPaths;
  /** Component schemas those path items reference as #/components/schemas/<name>. */
  schemas?: Record<string, unknown>;
}

/** Documented as accepted (io: input): extra fields in a series are allowed and ignored. */
const REQUEST_SCHEMAS: [z.ZodType, string][] = [
  [ScoreRequestBody, 'ScoreRequest'],
  [SeriesInput, 'SeriesInput'],
  [ScoreOptions, 'ScoreOptions'],
  [QueryRequest, 'QueryRequest'],
];

/** Documented as produced (io: output). */
const RESPONSE_SCHEMAS: [z.ZodType, string][] = [
  [ScoreResponse, 'ScoreResponse'],
  [QueryResponse, 'QueryResponse'],
  [QueryInfo, 'QueryInfo'],
  [SeriesScore, 'SeriesScore'],
  [Episode, 'Episode'],
  [Explanation, 'Explanation'],
  [CleaningReport, 'CleaningReport'],
  [ModelInfo, 'ModelInfo'],
  [ErrorResponse, 'ErrorResponse'],
  [HealthResponse, 'HealthResponse'],
  [ReadyResponse, 'ReadyResponse'],
  [DetectorsResponse, 'DetectorsResponse'],
  [DetectorInfo, 'DetectorInfo'],
];

const COMPONENT_IDS = new Map<z.ZodType, string>([...REQUEST_SCHEMAS, ...RESPONSE_SCHEMAS]);

function refTo(schema: z.ZodType, where: string): { $ref: string } {
  const id = COMPONENT_IDS.get(schema);
  if (!id) throw new Error(`${where}: schema is not registered as an OpenAPI component (see openapi.ts)`);
  return schemaRef(id);
}

function operation(route: RouteSpec): Record<string, unknown> {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(route.responses)) {
    const content = doc.schema
      ? { 'application/json': { schema: refTo(doc.schema, where) } }
      : doc.contentType
        ? { [doc.contentType]: { schema: { type: 'string' } } }
        : undefined;
    responses[status] = { description: doc.description, ...(content ? { content } : {}) };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.secured ? { security: [{ bearerAuth: [] }] } : { security: [] }),
    ...(route.requestBody
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: refTo(route.requestBody, where) } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * Admission (admission.ts) judges every request with a body on its headers before reading it: a
 * Content-Length over the body limit is a 413, a request past the concurrency budget a 503 with
 * Retry-After. Every operation that takes a body can therefore answer both, whatever its own route
 * says; they are added here, to the RouteSpecs and to the hand-written extensions alike.
 */
const ADMISSION_413 =
  'the body is larger than TRAFFICLENS_MAX_BODY_BYTES: refused on its Content-Length before it is read ' +
  '(a chunked body as soon as it passes the limit)';
const ADMISSION_503 =
  'overloaded: refused on its headers before the body is read, the service being at its admission ' +
  'budget (requests or body bytes in flight, or a busy event loop); retry after Retry-After seconds';
const RETRY_AFTER_HEADER = {
  description: 'seconds to wait before retrying (sent with every overloaded refusal)',
  schema: { type: 'integer', minimum: 0 },
};

type ResponseObject = { description?: string; headers?: Record<string, unknown> } & Record<string, unknown>;

const mentioning = (existing: string | undefined, addition: string): string =>
  existing ? `${existing}; or ${addition}` : addition;

/** The operation with admission's 413 and 503 (+ Retry-After) when it takes a body (a copy: extensions are shared). */
function withAdmission(operation: Record<string, unknown>): Record<string, unknown> {
  if (!operation.requestBody) return operation;
  const responses = { ...(operation.responses as Record<string, ResponseObject> | undefined) };
  const errorContent = { 'application/json': { schema: schemaRef('ErrorResponse') } };
  const tooLarge = responses['413'];
  responses['413'] = tooLarge
    ? { ...tooLarge, description: mentioning(tooLarge.description, ADMISSION_413) }
    : { description: ADMISSION_413, content: errorContent };
  const busy = responses['503'];
  responses['503'] = {
    ...(busy ?? { content: errorContent }),
    description: mentioning(busy?.description, ADMISSION_503),
    headers: { ...busy?.headers, 'Retry-After': RETRY_AFTER_HEADER },
  };
  // Integer-like keys keep their numeric order in a JS object, so the statuses stay sorted.
  return { ...operation, responses };
}

export interface OpenApiOptions {
  routes: RouteSpec[];
  version: string;
  extensions?: OpenApiExtension[];
}

export function buildOpenApiDocument({ routes, version, extensions = [] }: OpenApiOptions) {
  const paths: OpenApiPaths = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path][route.method] = operation(route);
  }
  const schemas = {
    ...componentSchemas(REQUEST_SCHEMAS, 'input'),
    ...componentSchemas(RESPONSE_SCHEMAS, 'output'),
  };
  for (const extension of extensions) {
    for (const [path, item] of Object.entries(extension.paths ?? {})) {
      if (paths[path]) throw new Error(`OpenAPI path ${path} is documented twice`);
      paths[path] = item;
    }
    for (const [id, schema] of Object.entries(extension.schemas ?? {})) {
      if (schemas[id]) throw new Error(`OpenAPI component schema ${id} is defined twice`);
      schemas[id] = schema;
    }
  }
  for (const [path, item] of Object.entries(paths)) {
    paths[path] = Object.fromEntries(
      Object.entries(item).map(([method, op]) => [method, withAdmission(op as Record<string, unknown>)]),
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TrafficLens scoring API',
      version,
      description:
        'Anomaly scores for traffic time series. Every score is calibrated so that 1.0 is the anomaly ' +
        'boundary at the chosen sensitivity (alert on score >= 1). Routes under /api/ require ' +
        '`Authorization: Bearer <token>` when the service runs with TRAFFICLENS_API_TOKEN set; ' +
        'health, readiness, metrics and this document are always open.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'scoring', description: 'score series, list detectors' },
      { name: 'operations', description: 'health, readiness, metrics, this document' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'the value of TRAFFICLENS_API_TOKEN; only enforced when it is set',
        },
      },
    },
  };
}
