import {
  getDefaultTimeRange,
  LoadingState,
  type DataFrame,
  type PanelData,
  type PanelProps,
} from '@grafana/data';
import { DEFAULT_OPTIONS, type PanelOptions } from '../types';

/** Panel props as Grafana passes them, with the given frames (anything: malformed input is tested too). */
export function props(
  series: unknown[],
  extra: Partial<PanelData> = {},
  options: Partial<PanelOptions> = {},
): PanelProps<PanelOptions> {
  const timeRange = getDefaultTimeRange();
  return {
    id: 1,
    data: { state: LoadingState.Done, series: series as DataFrame[], timeRange, ...extra },
    timeRange,
    timeZone: 'utc',
    options: { ...DEFAULT_OPTIONS, ...options },
    transparent: false,
    width: 800,
    height: 400,
    fieldConfig: { defaults: {}, overrides: [] },
    renderCounter: 0,
    title: 'TrafficLens',
    eventBus: {
      publish: jest.fn(),
      getStream: jest.fn(),
      subscribe: jest.fn(),
      removeAllListeners: jest.fn(),
      newScopedBus: jest.fn(),
    },
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: (s: string) => s,
    onChangeTimeRange: jest.fn(),
  } as unknown as PanelProps<PanelOptions>;
}
