/**
 * A click on the title of a job's series opens its live sensitivity: a preview over its history, then a
 * setting of its own (or the job's again), through the TrafficLens datasource of the panel's query.
 * Grafana's datasource service is mocked; the datasource is a fake with the contract of
 * plugin/datasource's previewSeriesAlerts and setSeriesSensitivity (tested there).
 */
import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { RefreshEvent } from '@grafana/runtime';
import type { DataFrame } from '@grafana/data';
import { AnomalyPanel } from './AnomalyPanel';
import { trafficLensFrame } from '../testing/frames';
import { props } from '../testing/props';

const mockGet = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: () => ({ get: mockGet }),
  config: { ...jest.requireActual('@grafana/runtime').config, bootData: { user: { login: 'noc-anna' } } },
}));

const request = {
  targets: [{ refId: 'A', datasource: { uid: 'tl', type: 'trafficlens-anomaly-datasource' } }],
} as never;

function jobFrame(job?: string): DataFrame {
  const frame = trafficLensFrame('transit-1', { labels: { link: 'transit-1', site: 'ams' } });
  frame.meta = { ...frame.meta, custom: { ...frame.meta?.custom, ...(job ? { job, sensitivity: 50 } : {}) } };
  return frame;
}

function trafficLens() {
  const ds = {
    name: 'TrafficLens prod',
    previewSeriesAlerts: jest.fn(async (_job: string, _labels: Record<string, string>, s: number) => ({
      candidates: [{ sensitivity: s, summary: `at ${s}: ≈0.5 alerts/day over 1 series; now 2` }],
    })),
    setSeriesSensitivity: jest.fn(async () => ({})),
  };
  mockGet.mockImplementation(async () => ds);
  return ds;
}

/** A click on the row's title line (the row's top, above the plot). */
function clickTitle() {
  const row = screen.getByTestId('trafficlens-overlay-row');
  fireEvent.mouseMove(row, { clientX: 300, clientY: 5 });
  fireEvent.mouseDown(row, { clientX: 300, clientY: 5 });
  fireEvent.mouseUp(row, { clientX: 300, clientY: 5 });
}

beforeEach(() => mockGet.mockReset());

describe("a job series' live sensitivity from the panel", () => {
  it('previews a value over the series, sets it for the series, and refreshes the panel', async () => {
    const ds = trafficLens();
    const p = props([jobFrame('edge')], { request });
    render(<AnomalyPanel {...p} />);
    clickTitle();
    const form = await screen.findByTestId('trafficlens-series-form');
    expect(form).toHaveTextContent('alerts at sensitivity 50 (job edge)');
    fireEvent.change(screen.getByLabelText('Sensitivity of this series'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview alerts' }));
    await waitFor(() =>
      expect(screen.getByTestId('trafficlens-series-status')).toHaveTextContent('at 30: ≈0.5 alerts/day'),
    );
    expect(ds.previewSeriesAlerts).toHaveBeenCalledWith('edge', { link: 'transit-1', site: 'ams' }, 30);
    expect(ds.setSeriesSensitivity).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Set for this series' }));
    await waitFor(() =>
      expect(screen.getByTestId('trafficlens-series-status')).toHaveTextContent(
        'alerts at 30 from its next point',
      ),
    );
    expect(ds.setSeriesSensitivity).toHaveBeenCalledWith(
      'edge',
      { link: 'transit-1', site: 'ams' },
      30,
      'noc-anna',
    );
    expect(p.eventBus.publish).toHaveBeenCalledWith(expect.any(RefreshEvent));
    fireEvent.click(screen.getByRole('button', { name: 'Use the job’s' }));
    await waitFor(() =>
      expect(screen.getByTestId('trafficlens-series-status')).toHaveTextContent(
        'follows the job’s sensitivity',
      ),
    );
    expect(ds.setSeriesSensitivity).toHaveBeenLastCalledWith(
      'edge',
      { link: 'transit-1', site: 'ams' },
      null,
      'noc-anna',
    );
  });

  it('refuses a value off the scale; a series that is not a job’s own opens nothing', async () => {
    trafficLens();
    const { unmount } = render(<AnomalyPanel {...props([jobFrame('edge')], { request })} />);
    clickTitle();
    await screen.findByTestId('trafficlens-series-form');
    fireEvent.change(screen.getByLabelText('Sensitivity of this series'), { target: { value: '140' } });
    expect(screen.getByRole('button', { name: 'Set for this series' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Preview alerts' })).toBeDisabled();
    unmount();
    render(<AnomalyPanel {...props([jobFrame()], { request })} />);
    clickTitle();
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('trafficlens-series-form')).toBeNull();
  });
});
