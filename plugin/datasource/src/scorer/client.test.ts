import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { of } from 'rxjs';
import { ScorerClient } from './client';

/** Records each request and answers `{}`. */
function recorder() {
  const requests: BackendSrvRequest[] = [];
  const fetch = jest.fn((req: BackendSrvRequest) => {
    requests.push(req);
    return of({ data: {}, status: 200, ok: true } as FetchResponse);
  });
  return { client: new ScorerClient('/proxy', () => ({ fetch }) as never), requests };
}

describe('sensitivity and preview calls', () => {
  it('set and remove a job setting', async () => {
    const { client, requests } = recorder();
    await client.setJobSensitivity('edge/1', { sensitivity: 70, author: 'noc', comment: '' });
    await client.setJobSensitivity('edge/1', null);
    expect(requests.map((r) => [r.method, r.url, r.data])).toEqual([
      [
        'PUT',
        '/proxy/scorer/api/v1/jobs/edge%2F1/sensitivity',
        { sensitivity: 70, author: 'noc', comment: '' },
      ],
      ['DELETE', '/proxy/scorer/api/v1/jobs/edge%2F1/sensitivity', undefined],
    ]);
  });

  it('name a series by its selector in ?series=', async () => {
    const { client, requests } = recorder();
    await client.setSeriesSensitivity('edge', '{site="ams"}', { sensitivity: 20, author: '', comment: '' });
    await client.setSeriesSensitivity('edge', '{site="ams"}', null);
    expect(requests.map((r) => [r.method, r.url, r.params])).toEqual([
      ['PUT', '/proxy/scorer/api/v1/jobs/edge/series/sensitivity', { series: '{site="ams"}' }],
      ['DELETE', '/proxy/scorer/api/v1/jobs/edge/series/sensitivity', { series: '{site="ams"}' }],
    ]);
  });

  it('preview posts the candidates', async () => {
    const { client, requests } = recorder();
    await client.previewAlerts('edge', { sensitivities: [40, 60], match: ['site="ams"'] });
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: '/proxy/scorer/api/v1/jobs/edge/preview',
      data: { sensitivities: [40, 60], match: ['site="ams"'] },
    });
  });
});
