import type { ScopedVars } from '@grafana/data';
import { formatMatcherValue, interpolateQuery } from './interpolate';

/**
 * A stand-in for Grafana's TemplateSrv: replaces $name and ${name} from a table, calling the format
 * function the way Grafana does (value, variable).
 */
function fakeTemplateSrv(vars: Record<string, { value: string | string[]; multi?: boolean }>) {
  return {
    replace: jest.fn((text?: string, scoped?: ScopedVars, format?: unknown) =>
      (text ?? '').replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
        const scopedValue = scoped?.[name]?.value;
        const v = scopedValue !== undefined ? { value: scopedValue as string } : vars[name];
        if (!v) {
          return whole;
        }
        if (typeof format === 'function') {
          return format(v.value, { multi: 'multi' in v ? v.multi : false });
        }
        return Array.isArray(v.value) ? v.value.join(',') : v.value;
      }),
    ),
  };
}

describe('interpolateQuery', () => {
  const templateSrv = fakeTemplateSrv({
    job: { value: 'simulator' },
    site: { value: 'ams' },
    sites: { value: ['ams', 'fra'], multi: true },
    link: { value: 'transit.1' },
  });

  it('replaces variables in the job, filter, legend and expression and keeps the rest', () => {
    const query = interpolateQuery(
      {
        refId: 'A',
        job: '$job',
        filter: 'site="$site", link="${link}"',
        legendFormat: '{{link}} at $site',
        expr: 'rate(x{site="$site"}[5m])',
        sensitivity: 70,
      },
      {},
      templateSrv,
    );
    expect(query).toEqual({
      refId: 'A',
      job: 'simulator',
      filter: 'site="ams", link="transit.1"',
      legendFormat: '{{link}} at ams',
      expr: 'rate(x{site="ams"}[5m])',
      sensitivity: 70,
    });
  });

  it('turns a multi-value variable into a regex alternation for =~ matchers', () => {
    expect(interpolateQuery({ refId: 'A', filter: 'site=~"$sites"' }, {}, templateSrv).filter).toBe(
      'site=~"(ams|fra)"',
    );
  });

  it('prefers scoped variables (repeated panels) to dashboard ones', () => {
    const scoped: ScopedVars = { site: { text: 'nyc', value: 'nyc' } };
    expect(interpolateQuery({ refId: 'A', filter: 'site="$site"' }, scoped, templateSrv).filter).toBe(
      'site="nyc"',
    );
    expect(templateSrv.replace).toHaveBeenCalledWith('site="$site"', scoped, formatMatcherValue);
  });

  it('leaves empty fields alone', () => {
    expect(interpolateQuery({ refId: 'A' }, {}, templateSrv)).toEqual({ refId: 'A' });
  });
});

describe('formatMatcherValue', () => {
  it.each([
    ['ams', undefined, 'ams'],
    ['say "hi"', undefined, 'say \\"hi\\"'],
    ['a.b', { multi: true }, 'a\\\\.b'],
    [['a.b'], undefined, 'a\\\\.b'],
    [['ams', 'fra'], undefined, '(ams|fra)'],
    [['x|y', 'z'], { includeAll: true }, '(x\\\\|y|z)'],
  ])('%j (%j) → %s', (value, variable, expected) => {
    expect(formatMatcherValue(value, variable)).toBe(expected);
  });
});
