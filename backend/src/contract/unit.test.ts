import { METRIC_UNITS } from '../sources/simulator/catalog.js';
import { Unit, UNITS } from './unit.js';

describe('Unit', () => {
  test.each([...UNITS, 'suffix:flows/s', 'si:req/s', 'count:sessions', 'prefix:$'])('accepts %s', (id) => {
    expect(Unit.parse(id)).toBe(id);
  });

  test.each(['', 'BPS', 'Mbps', 'bytes/s', 'percentage', 'suffix:', 'suffix:two words', 'custom:x', ' Bps'])(
    'refuses %j, saying what a unit id looks like',
    (id) => {
      const result = Unit.safeParse(id);
      expect(result.success).toBe(false);
      expect(result.error!.issues[0].message).toBe(
        `${JSON.stringify(id)} is not a Grafana unit id: use one of Bps, bps, KBs, Kbits, MBs, Mbits, GBs, ` +
          'Gbits, TBs, Tbits, binBps, binbps, pps (data rates), reqps, ops, s, ms, percentunit, percent, ' +
          'short, bytes… or a custom unit such as suffix:flows/s',
      );
    },
  );

  test("the simulator's units are unit ids", () => {
    for (const unit of Object.values(METRIC_UNITS)) expect(Unit.safeParse(unit).success).toBe(true);
  });
});
