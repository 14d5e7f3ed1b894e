import { FieldType } from '@grafana/data';
import { REGION_FIELDS, regionFrame } from './regions';

describe('regionFrame', () => {
  const frame = regionFrame(
    { refId: 'Anno', name: 'things', executedQueryString: 'GET /x' },
    [1, 2],
    (n) => ({
      time: n * 1000,
      timeEnd: n * 2000,
      title: `t${n}`,
      text: `x${n}`,
      tags: [`n:${n}`],
      color: 'red',
    }),
    [{ name: 'n', type: FieldType.number, values: [1, 2] }],
  );

  it("puts the six fields of Grafana's annotation mapping first, typed as it reads them, then the table's", () => {
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ...REGION_FIELDS.map((name) => [
        name,
        name === 'time' || name === 'timeEnd'
          ? FieldType.time
          : name === 'tags'
            ? FieldType.other
            : FieldType.string,
      ]),
      ['n', FieldType.number],
    ]);
    expect(REGION_FIELDS).toEqual(['time', 'timeEnd', 'title', 'text', 'tags', 'color']);
    expect(frame.fields[0].values).toEqual([1000, 2000]);
    expect(frame.fields[4].values).toEqual([['n:1'], ['n:2']]);
  });

  it('is a table frame with the query that made it', () => {
    expect(frame.refId).toBe('Anno');
    expect(frame.name).toBe('things');
    expect(frame.meta).toEqual({ preferredVisualisationType: 'table', executedQueryString: 'GET /x' });
    expect(frame.length).toBe(2);
  });
});
