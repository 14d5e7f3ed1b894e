import request from 'supertest';
import { ErrorResponse, ScoreResponseBody } from '../contract/api.js';
import { requestedGroups } from './scoreIncidents.js';
import { testApp } from './testApp.js';

const T0 = Date.UTC(2025, 0, 13);
const STEP = 60_000;
const N = 300;

/** A wavy series; `drop` (a point index) takes it to 2 % of its level for 20 points from there. */
function series(labels: Record<string, string>, drop?: number, phase = 0) {
  return {
    labels,
    timestamps: Array.from({ length: N }, (_, i) => T0 + i * STEP),
    values: Array.from({ length: N }, (_, i) => {
      const v = 1000 + 100 * Math.sin((i + phase) / 15) + 7 * Math.sin(i * 12.9898 + phase);
      return drop !== undefined && i >= drop && i < drop + 20 ? v * 0.02 : v;
    }),
  };
}

// An outage at ams: transit-1 drops first, ix a minute later, peering stays; fra's ix drops alone.
const SERIES = [
  series({ site: 'ams', link: 'transit-1' }, 250, 0),
  series({ site: 'ams', link: 'ix' }, 251, 3),
  series({ site: 'ams', link: 'peering' }, undefined, 5),
  series({ site: 'fra', link: 'ix' }, 200, 7),
];

const post = (body: object, contentType = 'application/json') =>
  request(testApp().app).post('/api/v1/score').set('Content-Type', contentType).send(JSON.stringify(body));

describe('POST /api/v1/score with groups', () => {
  // The raw path (the body handed to the executor as bytes) and the parsed one (other JSON media types).
  test.each(['application/json', 'application/json; profile=x'])(
    'tells the series of one group anomalous together as one incident (%s)',
    async (contentType) => {
      const res = await post({ series: SERIES, detector: 'robust', groups: ['site', 'link'] }, contentType);
      expect(res.status).toBe(200);
      const body = ScoreResponseBody.parse(res.body);
      expect(body.series.map((s) => s.labels.link)).toEqual(['transit-1', 'ix', 'peering', 'ix']);
      // fra's ix is anomalous alone: no incident there.
      expect(body.incidents?.map((i) => i.group)).toEqual([{ site: 'ams' }]);
      const [incident] = body.incidents!;
      expect(incident.kind).toBe('series');
      expect(incident.members.map((m) => m.labels.link)).toEqual(['transit-1', 'ix']);
      expect(incident.origin).toEqual({ site: 'ams', link: 'transit-1' });
      expect(incident.groupSize).toBe(3);
      expect(incident.start).toBe(T0 + 250 * STEP);
      expect(incident.summary).toBe('2 of 3 series at site=ams anomalous, first link=transit-1 at 04:10 UTC');
      expect(incident.severity).toBe(Math.max(...incident.members.map((m) => m.severity)));
    },
  );

  test('answers as before without groups: no incidents field', async () => {
    const res = await post({ series: SERIES, detector: 'robust' });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('incidents');
    expect(res.body.series).toHaveLength(4);
  });

  test.each([
    [[], 'groups'],
    [['site', 'site'], 'a label may appear only once'],
    [['1site'], 'must be a label name'],
    [['a', 'b', 'c', 'd', 'e'], 'groups'],
  ])('refuses groups %j with a 400 naming the field', async (groups, message) => {
    const res = await post({ series: SERIES, groups });
    expect(res.status).toBe(400);
    const error = ErrorResponse.parse(res.body).error;
    expect(JSON.stringify(error)).toContain(message);
    expect(error.details.some((d) => d.path.startsWith('groups'))).toBe(true);
  });
});

describe('requestedGroups', () => {
  test.each([
    ['{"series":[],"groups":["site","link"]}', ['site', 'link']],
    ['{"series":[{"labels":{"groups":"x"}}]}', undefined],
    ['{"series":[]}', undefined],
  ])('%s → %j', (body, groups) => {
    expect(requestedGroups(Buffer.from(body))).toEqual(groups);
  });
});
