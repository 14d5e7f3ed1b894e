import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import type { DataSourceInstanceSettings, StandardEditorContext } from '@grafana/data';
import type { DataSourcePickerProps } from '@grafana/runtime';
import { DetectorEditor, ScoreWithEditor } from './ScoringEditors';
import { DEFAULT_OPTIONS, type PanelOptions } from '../types';

const mockGet = jest.fn();
let mockPicker: DataSourcePickerProps | undefined;
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: () => ({ get: mockGet }),
  DataSourcePicker: (p: DataSourcePickerProps) => {
    mockPicker = p;
    return <div data-testid="picker" />;
  },
}));

const context = (options: Partial<PanelOptions>): StandardEditorContext<PanelOptions> => ({
  data: [],
  options: { ...DEFAULT_OPTIONS, ...options },
});

// jsdom has no canvas; Combobox measures its texts with a 2D context. Only this file needs it (the
// panel's own drawing code is tested without a context).
beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => ({
    font: '',
    measureText: (text: string) => ({ width: text.length * 7 }),
  })) as unknown as HTMLCanvasElement['getContext'];
});

beforeEach(() => {
  mockGet.mockReset();
  mockPicker = undefined;
});

describe('Score with', () => {
  it('offers only TrafficLens datasources and stores the chosen one as a reference; clearing stores null', () => {
    const onChange = jest.fn();
    render(<ScoreWithEditor value={null} onChange={onChange} item={{} as never} context={context({})} />);
    expect(mockPicker).toMatchObject({
      pluginId: 'trafficlens-anomaly-datasource',
      current: null,
      noDefault: true,
    });
    mockPicker!.onChange({
      uid: 'tl',
      type: 'trafficlens-anomaly-datasource',
      name: 'TL',
    } as DataSourceInstanceSettings);
    expect(onChange).toHaveBeenLastCalledWith({ uid: 'tl', type: 'trafficlens-anomaly-datasource' });
    mockPicker!.onClear!();
    expect(onChange).toHaveBeenLastCalledWith(null);
  });
});

describe('Detector', () => {
  const renderEditor = (options: Partial<PanelOptions>) =>
    render(<DetectorEditor value="" onChange={jest.fn()} item={{} as never} context={context(options)} />);

  it("asks the chosen datasource for its scorer's detectors", async () => {
    const getDetectors = jest.fn(async () => [{ name: 'auto', default: true }, { name: 'robust' }]);
    mockGet.mockResolvedValue({ getDetectors });
    renderEditor({ scoreWith: { uid: 'tl' } });
    await waitFor(() => expect(getDetectors).toHaveBeenCalledTimes(1));
    expect(mockGet).toHaveBeenCalledWith({ uid: 'tl' });
    expect(screen.getByPlaceholderText('datasource default')).toBeEnabled();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('is disabled until a datasource is chosen', () => {
    renderEditor({ scoreWith: null });
    expect(screen.getByPlaceholderText('choose Score with first')).toBeDisabled();
    expect(mockGet).not.toHaveBeenCalled();
  });

  it('says why there are no detectors', async () => {
    mockGet.mockResolvedValue({ name: 'Prometheus' });
    renderEditor({ scoreWith: { uid: 'prom' } });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Detectors unavailable: not a TrafficLens datasource',
    );
  });
});
