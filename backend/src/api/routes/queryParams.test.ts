import { z } from 'zod';
import { ApiError } from '../errors.js';
import { parseQuery } from './queryParams.js';

const Schema = z.object({
  match: z.array(z.string().min(1, 'an empty matcher')).optional(),
  from: z.coerce.number().int('not an integer').optional(),
});
const params = { single: ['from'], repeated: ['match'] } as const;

function errorOf(run: () => unknown): ApiError {
  try {
    run();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('parseQuery', () => {
  it('takes a parameter given once as a string and a repeated one as a list, and ignores undeclared ones', () => {
    expect(parseQuery(Schema, { match: 'a', from: '5', other: 'x' }, params)).toEqual({
      match: ['a'],
      from: 5,
    });
    expect(parseQuery(Schema, { match: ['a', 'b'] }, params)).toEqual({ match: ['a', 'b'] });
    expect(parseQuery(Schema, {}, params)).toEqual({});
  });

  it('refuses a single parameter given twice or as an object, naming it', () => {
    for (const from of [['1', '2'], { a: '1' }]) {
      const e = errorOf(() => parseQuery(Schema, { from }, params));
      expect(e.status).toBe(400);
      expect(e.message).toBe('invalid query parameter from: give it once, as a string');
      expect(e.details).toEqual([{ path: 'from', message: 'give it once, as a string' }]);
    }
  });

  it('refuses a repeated parameter with a non-string item, naming it', () => {
    const e = errorOf(() => parseQuery(Schema, { match: ['a', { b: 'c' }] }, params));
    expect(e.message).toBe('invalid query parameter match: give each one as a string');
  });

  it("names the schema's failing path, with the index of a repeated parameter's item", () => {
    const e = errorOf(() => parseQuery(Schema, { match: ['a', ''] }, params));
    expect(e.message).toBe('invalid query parameter match.1: an empty matcher');
    expect(e.details[0]).toEqual({ path: 'match.1', message: 'an empty matcher' });
    expect(errorOf(() => parseQuery(Schema, { from: '1.5' }, params)).message).toBe(
      'invalid query parameter from: not an integer',
    );
  });
});
