import type { RouteSpec } from './route.js';

export const OPENAPI_PATH = '/openapi.json';

/** The document is built once by the app (it needs every other route) and served as is. */
export function openApiRoutes(document: () => object): RouteSpec[] {
  return [
    {
      method: 'get',
      path: OPENAPI_PATH,
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document, generated from the zod schemas that validate requests',
      tag: 'operations',
      secured: false,
      responses: { 200: { description: 'OpenAPI 3.1 document', contentType: 'application/json' } },
      handlers: [(_req, res) => void res.json(document())],
    },
  ];
}
