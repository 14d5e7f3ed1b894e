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
  SeriesInput,
  SeriesScore,
} from '../contract/score.js';
import { componentSchemas, schemaRef } from '../contract/openapi.js';
import { INCIDENTS_COMPONENTS } from '../contract/incidents.js';
import {
  ForecastRequest,
  ForecastResponse,
  SeriesForecast,
  ThresholdCrossing,
} from '../contract/forecast.js';
import { QueryInfo, QueryRequest, QueryResponse } from '../contract/query.js';
import type { ComponentList, RouteGroup, RouteSpec } from './routes/route.js';
import {
  DetectorInfo,
  DetectorsResponse,
  ErrorResponse,
  HealthResponse,
  ReadyResponse,
  ScoreRequestBody,
  ScoreResponseBody,
} from '../contract/api.js';

export type OpenApiPaths = Record<string, Record<string, unknown>>;

/** Documented as accepted (io: input): extra fields in a series are allowed and ignored. */
const REQUEST_SCHEMAS: ComponentList = [
  [ScoreRequestBody, 'ScoreRequest'],
  [SeriesInput, 'SeriesInput'],
  [ScoreOptions, 'ScoreOptions'],
  [QueryRequest, 'QueryRequest'],
  [ForecastRequest, 'ForecastRequest'],
];

/** Documented as produced (io: output). */
const RESPONSE_SCHEMAS: ComponentList = [
  [ScoreResponseBody, 'ScoreResponse'],
  // Incidents are answered by the score route and the jobs' incidents route: generated here, once,
  // so both reference the one component (a group's components cannot reference another group's).
  ...INCIDENTS_COMPONENTS,
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
  [ForecastResponse, 'ForecastResponse'],
  [SeriesForecast, 'SeriesForecast'],
  [ThresholdCrossing, 'ThresholdCrossing'],
];

/** The service's own routes: mounted on the app itself, their components generated together. */
const SERVICE_COMPONENTS: RouteGroup['components'] = { input: REQUEST_SCHEMAS, output: RESPONSE_SCHEMAS };

type ComponentIds = Map<z.ZodType, string>;

function refTo(ids: ComponentIds, schema: z.ZodType, where: string): { $ref: string } {
  const id = ids.get(schema);
  if (!id)
    throw new Error(
      `${where}: schema is not registered as an OpenAPI component (openapi.ts, or its route group's components)`,
    );
  return schemaRef(id);
}

/** An object schema's fields as OpenAPI parameters, in field order, each described by its .describe(). */
function parameters(schema: z.ZodObject, location: 'path' | 'query'): Record<string, unknown>[] {
  const json = z.toJSONSchema(schema, { io: 'input' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, field]) => {
    const { description, ...fieldSchema } = field;
    return {
      name,
      in: location,
      // Path parameters are always required (OpenAPI); a query one unless optional.
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description === undefined ? {} : { description }),
      // A repeated parameter (?match=a&match=b), spelled out although it is the default.
      ...(fieldSchema.type === 'array' ? { style: 'form', explode: true } : {}),
      schema: fieldSchema,
    };
  });
}

function operation(route: RouteSpec, ids: ComponentIds, tagsFirst: boolean): Record<string, unknown> {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(route.responses)) {
    const content = doc.schema
      ? { 'application/json': { schema: refTo(ids, doc.schema, where) } }
      : doc.contentType
        ? { [doc.contentType]: { schema: { type: 'string' } } }
        : undefined;
    responses[status] = { description: doc.description, ...(content ? { content } : {}) };
  }
  const naming = {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
  };
  const access = {
    tags: [route.tag],
    ...(route.secured ? { security: [{ bearerAuth: [] }] } : { security: [] }),
  };
  const params = [
    ...(route.params ? parameters(route.params, 'path') : []),
    ...(route.query ? parameters(route.query, 'query') : []),
  ];
  return {
    ...(tagsFirst ? { ...access, ...naming } : { ...naming, ...access }),
    ...(params.length ? { parameters: params } : {}),
    ...(route.requestBody
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: refTo(ids, route.requestBody, where) } },
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
 * says; they are added here, to every RouteSpec's operation.
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

/** The operation with admission's 413 and 503 (+ Retry-After) when it takes a body. */
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
  /** The service's own routes (their components are this file's lists). */
  routes: RouteSpec[];
  /** Mounted groups (the jobs and models APIs), documented after them in this order. */
  groups?: RouteGroup[];
  version: string;
}

export function buildOpenApiDocument({ routes, groups = [], version }: OpenApiOptions) {
  const all = [{ routes, components: SERVICE_COMPONENTS, tagsFirst: false }, ...groups];
  const schemas: Record<string, unknown> = {};
  const ids: ComponentIds = new Map();
  for (const { components } of all) {
    const generated = {
      ...componentSchemas(components.input ?? [], 'input'),
      ...componentSchemas(components.output ?? [], 'output'),
    };
    for (const [id, schema] of Object.entries(generated)) {
      if (schemas[id]) throw new Error(`OpenAPI component schema ${id} is defined twice`);
      schemas[id] = schema;
    }
    for (const [schema, id] of [...(components.input ?? []), ...(components.output ?? [])])
      ids.set(schema, id);
  }
  const paths: OpenApiPaths = {};
  for (const group of all) {
    for (const route of group.routes) {
      paths[route.path] ??= {};
      if (paths[route.path][route.method]) {
        throw new Error(`OpenAPI operation ${route.method.toUpperCase()} ${route.path} is documented twice`);
      }
      paths[route.path][route.method] = operation(route, ids, group.tagsFirst ?? false);
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
    // The jobs and models operations' tags are not described here: the committed document never was.
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
