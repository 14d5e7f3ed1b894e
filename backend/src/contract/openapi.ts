/**
 * Pieces every part's OpenAPI description is built from (the service's own routes, the jobs API, the
 * models API): component schemas generated from the zod schemas, references to them, JSON responses.
 */
import { z } from 'zod';

/** Where a component schema lives in the document. */
export const componentUri = (id: string) => `#/components/schemas/${id}`;

export const schemaRef = (id: string) => ({ $ref: componentUri(id) });

/**
 * JSON Schema 2020-12 (as OpenAPI 3.1 uses) of each zod schema under its id, as requests read it
 * (`input`: defaults optional) or responses carry it (`output`).
 */
export function componentSchemas(
  list: readonly (readonly [z.ZodType, string])[],
  io: 'input' | 'output',
): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of list) registry.add(schema, { id });
  const out: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(z.toJSONSchema(registry, { io, uri: componentUri }).schemas)) {
    // $id/$schema are noise inside an OpenAPI document (and a fragment-only $id is invalid).
    const { $id: _id, $schema: _dialect, ...rest } = schema as Record<string, unknown>;
    out[id] = rest;
  }
  return out;
}
