/**
 * fast-check arbitraries for hostile requests, derived from the committed OpenAPI document
 * (docs/api/openapi.json): every operation it lists, its path and query parameters, and a body built
 * from its JSON Schema, then damaged the ways clients and attackers damage requests. Used by
 * fuzz.openapi.test.ts; kept apart so the generators can be read (and reused) on their own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, unknown>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export interface Operation {
  operationId: string;
  parameters?: { name: string; in: 'path' | 'query'; schema?: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, unknown>;
  /** `[]`: open; `[{ bearerAuth: [] }]`: needs the token when one is configured. */
  security?: Record<string, string[]>[];
}

export interface OperationRef {
  method: string;
  path: string;
  op: Operation;
}

export const OPENAPI_FILE = fileURLToPath(new URL('../../../../docs/api/openapi.json', import.meta.url));

export function loadOpenApi(): OpenApiDocument {
  return JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
}

export function operationsOf(doc: OpenApiDocument): OperationRef[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, op })),
  );
}

/** A number token written verbatim into the JSON text (JSON has no Infinity, but 1e400 parses to it). */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of a generated value; Raw tokens go in as written, `__proto__` keys as own keys. */
export function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Values that break naive code: overflow, precision, wrong types, empty containers, hostile strings.
 * One list for every hostile-input test (the OpenAPI fuzz suite, the /score property tests).
 */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    new Raw('1e400'),
    new Raw('-1e400'),
    new Raw('1e-400'),
    new Raw('-0'),
    new Raw('123456789012345678901234567890'),
    1e20,
    -1.79e308,
    1.79e308,
    Number.MAX_SAFE_INTEGER + 2,
    -1,
    0.5,
    'Infinity',
    '-Infinity',
    'NaN',
    '',
    '\u0000',
    '%ZZ',
    '../../etc/passwd',
    '__proto__',
    'x'.repeat(5000),
    true,
    null,
    {},
    [],
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

function resolve(schema: Schema, doc: OpenApiDocument): Schema {
  const ref = schema.$ref;
  if (typeof ref === 'string') return doc.components.schemas[ref.replace('#/components/schemas/', '')];
  return schema;
}

function numberFrom(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  if (integer) {
    return fc.integer({ min: Math.max(min ?? -1e6, -1e6), max: Math.min(max ?? 1e6, 1e6) });
  }
  return fc.oneof(
    fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(...[min, max, 0].filter((v): v is number => v !== undefined)),
  );
}

/**
 * Values of a JSON Schema (the subset the document uses). Arrays are short, so a request stays cheap
 * to score; depth is bounded so recursive shapes end.
 */
export function fromSchema(schema: Schema, doc: OpenApiDocument, depth = 0): fc.Arbitrary<Json> {
  const s = resolve(schema, doc);
  if (depth > 6) return fc.constant(null);
  if ('const' in s) return fc.constant(s.const as Json);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as Json[]));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options))
      return fc.oneof(...options.map((o) => fromSchema(o as Schema, doc, depth + 1)));
  }
  const type = s.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => fromSchema({ ...s, type: t }, doc, depth)));
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return numberFrom(s, true);
    case 'number':
      return numberFrom(s, false);
    case 'string': {
      if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern));
      const maxLength = Math.min(typeof s.maxLength === 'number' ? s.maxLength : 24, 24);
      const minLength = Math.min(typeof s.minLength === 'number' ? s.minLength : 0, maxLength);
      return fc.string({ minLength, maxLength });
    }
    case 'array': {
      const items = (s.items as Schema | undefined) ?? {};
      return fc.array(fromSchema(items, doc, depth + 1), { maxLength: 30 });
    }
    case 'object':
    default: {
      const properties = (s.properties as Record<string, Schema> | undefined) ?? {};
      const required = new Set((s.required as string[] | undefined) ?? []);
      const keys = Object.keys(properties);
      if (keys.length === 0) {
        const values = s.additionalProperties;
        const value =
          values && typeof values === 'object'
            ? fromSchema(values as Schema, doc, depth + 1)
            : fc.jsonValue();
        return fc.dictionary(fc.string({ maxLength: 10 }), value as fc.Arbitrary<Json>, { maxKeys: 4 });
      }
      return fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(properties[k], doc, depth + 1)])), {
        requiredKeys: keys.filter((k) => required.has(k)),
      }) as fc.Arbitrary<Json>;
    }
  }
}

/** Every path to a value inside `value` (the root is []). */
function pathsOf(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...path, i], out));
  else if (value !== null && typeof value === 'object' && !(value instanceof Raw)) {
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  }
  return out;
}

function edit(value: unknown, path: (string | number)[], change: (old: unknown) => unknown): unknown {
  if (path.length === 0) return change(value);
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? edit(v, rest, change) : v));
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    copy[k] = k === head ? edit(v, rest, change) : v;
  }
  return copy;
}

function addKey(target: unknown, key: string, v: unknown): unknown {
  if (target === null || typeof target !== 'object' || Array.isArray(target) || target instanceof Raw) {
    return target;
  }
  const copy: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  // defineProperty: a plain assignment of __proto__ would set the prototype instead of a key.
  Object.defineProperty(copy, key, { value: v, enumerable: true, configurable: true, writable: true });
  return copy;
}

/**
 * A schema-valid value, or one damaged in one place: a value replaced by something weird, an unknown
 * or `__proto__` key added, a field removed, or a few of these at once.
 */
export function damaged(valid: fc.Arbitrary<Json>): fc.Arbitrary<unknown> {
  const once = (arb: fc.Arbitrary<unknown>) =>
    fc
      .tuple(
        arb,
        fc.nat(),
        fc.integer({ min: 0, max: 3 }),
        weird,
        fc.constantFrom('__proto__', 'extra', 'constructor'),
      )
      .map(([value, pick, how, w, key]) => {
        const paths = pathsOf(value);
        const path = paths[pick % paths.length];
        switch (how) {
          case 0:
            return edit(value, path, () => w);
          case 1:
            return edit(value, path, (old) => addKey(old, key, w));
          case 2:
            return path.length === 0
              ? value
              : edit(value, path.slice(0, -1), (parent) => {
                  if (Array.isArray(parent)) return parent.filter((_, i) => i !== path[path.length - 1]);
                  const { [path[path.length - 1]]: _dropped, ...rest } = parent as Record<string, unknown>;
                  return rest;
                });
          default:
            return value;
        }
      });
  return fc.oneof(
    { weight: 2, arbitrary: valid },
    { weight: 4, arbitrary: once(valid) },
    { weight: 2, arbitrary: once(once(once(valid))) },
  );
}

/** Bodies that are not the JSON they claim to be. */
export const rawBodies: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"series":',
    'null',
    '[]',
    '"x"',
    '{"a":1,"a":2}',
    '\u0000',
    '{"series":[{"timestamps":[1],"values":[1e999999]}]}',
    '['.repeat(20_000) + ']'.repeat(20_000),
    '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
  ),
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);

/** Path parameter values: valid names, free text, broken escapes, traversal, very long. */
export function pathParam(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known).map(encodeURIComponent) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }).map(encodeURIComponent) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '%ZZ',
        '%',
        '%E0%A4%A',
        '%00',
        '..',
        '%2e%2e',
        '..%2F..%2Fetc',
        'a%2Fb',
        '%C0%AF',
      ),
    },
    { weight: 1, arbitrary: fc.constant('a'.repeat(3000)) },
  );
}

/** Label matchers, including regexes a backtracking engine would take hours on. */
export const matchers: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'site="ams"',
    'link=~"transit-.*"',
    'metric=~"(.*.*)*X"',
    'metric=~"(a|aa)*c"',
    'metric=~"(.*){1000}"',
    'metric=~"((a+)+)+$"',
    'metric=~"(?=x)"',
    'metric=~"(a)\\\\1"',
    'metric=~"("',
    `metric=~"${'(a|'.repeat(300)}"`,
    `metric=~"${'x|'.repeat(3000)}x"`,
    'site',
    '=~""',
    '__proto__="x"',
  ),
  fc.string({ maxLength: 60 }),
);

/** Query parameter values: the time formats and their neighbours, numbers too big, free text. */
export const queryValues: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '-5',
    '1e20',
    '99999999999999999999',
    '2025-01-13T12:00:00Z',
    '9999-12-31',
    'NaN',
    '',
    '10',
    '1000000000',
  ),
  fc.string({ maxLength: 30 }),
);

const encodeQuery = (pairs: [string, string][]) =>
  pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** The query string for an operation's documented parameters, plus sometimes unknown or repeated ones. */
export function queryString(op: Operation): fc.Arbitrary<string> {
  const params = (op.parameters ?? []).filter((p) => p.in === 'query');
  const documented = fc.tuple(
    ...params.map((p) =>
      p.name === 'match'
        ? fc.array(matchers, { maxLength: 3 }).map((ms) => ms.map((m): [string, string] => ['match', m]))
        : fc
            .option(queryValues, { nil: undefined })
            .map((v) => (v === undefined ? [] : [[p.name, v] as [string, string]])),
    ),
  );
  return fc
    .tuple(
      documented,
      fc.array(fc.tuple(fc.constantFrom('token', 'from', 'x', '__proto__', 'match[]'), queryValues), {
        maxLength: 2,
      }),
      fc.constantFrom('', '', '', '&&', '&%ZZ=1', '&match'),
    )
    .map(([doc, extra, tail]) => {
      const pairs = [...doc.flat(), ...extra];
      const text = encodeQuery(pairs) + tail;
      return text === '' ? '' : `?${text}`;
    });
}
