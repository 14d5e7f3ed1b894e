import { unitForSeries, unitFromName } from './units';

describe('unitForSeries', () => {
  it("takes the scorer's unit over the name: a byte counter is scored as its rate, bytes/s", () => {
    expect(unitForSeries({ labels: { metric: 'interface_bytes_total' }, unit: 'Bps' })).toBe('Bps');
    expect(unitForSeries({ labels: { metric: 'interface_bytes_per_second' }, unit: 'bps' })).toBe('bps');
    expect(unitForSeries({ labels: { site: 'ams' }, unit: 'suffix:flows/s' })).toBe('suffix:flows/s');
  });

  it('infers it from the metric name when the scorer has none', () => {
    expect(unitForSeries({ labels: { metric: 'interface_bytes_total' }, unit: null })).toBe('bytes');
    expect(unitForSeries({ labels: { site: 'ams' }, unit: null })).toBeUndefined();
  });
});

describe('unitFromName', () => {
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
    expect(unitFromName(labels)).toBe(unit);
  });
});
