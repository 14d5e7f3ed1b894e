import { createTheme, FieldType, type Field } from '@grafana/data';
import type { PanelSeries } from '../frames/parse';
import { formatAge, valueFormatter } from './format';

const theme = createTheme();

function series(config: Field['config']): PanelSeries {
  const field: Field = { name: 'Value', type: FieldType.number, config, values: [] };
  return { field } as unknown as PanelSeries;
}

describe('valueFormatter', () => {
  it("uses the field's own unit", () => {
    expect(valueFormatter(series({ unit: 'Bps' }), theme)(1_250_000)).toBe('1.25 MB/s');
  });

  it('shows a field without a unit in the short unit, so large counts fit an axis and a tile', () => {
    const format = valueFormatter(series({}), theme);
    expect(format(1_234_567_890)).toBe('1.23 Bil');
    expect(format(12)).toBe('12');
    expect(format(null)).toBe('–');
  });
});

describe('formatAge', () => {
  it.each([
    [59_000, '0m'],
    [12 * 60_000, '12m'],
    [185 * 60_000, '3h 5m'],
    [52 * 3_600_000, '2d 4h'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
