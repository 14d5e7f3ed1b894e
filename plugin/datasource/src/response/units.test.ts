import { unitForSeries } from './units';

describe('unitForSeries', () => {
  it.each([
    [{ metric: 'interface_bytes_per_second' }, 'Bps'],
    [{ __name__: 'ifHCInOctets_bits_per_second' }, 'bps'],
    [{ metric: 'interface_packets_per_second' }, 'pps'],
    [{ metric: 'http_requests_per_second' }, 'reqps'],
    [{ metric: 'flows_per_second' }, 'si:/s'],
    [{ metric: 'http_latency_p95_seconds' }, 's'],
    [{ metric: 'http_error_ratio' }, 'percentunit'],
    [{ metric: 'interface_bytes_total' }, 'bytes'],
    [{ metric: 'temperature_celsius' }, 'celsius'],
    [{ metric: 'something_else' }, undefined],
    [{ site: 'ams' }, undefined],
  ])('%j → %s', (labels, unit) => {
    expect(unitForSeries(labels)).toBe(unit);
  });
});
