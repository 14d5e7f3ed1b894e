/**
 * A range selected with shift held on a series' row becomes a maintenance window through the TrafficLens
 * datasource of the panel's query. Grafana's datasource service is mocked; the datasource is a fake with
 * the same createMaintenanceWindow contract as plugin/datasource's (tested there against its client).
 */
import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { dateTime, type TimeRange } from '@grafana/data';
import { AnomalyPanel } from './AnomalyPanel';
import { trafficLensFrame } from '../testing/frames';
import { props } from '../testing/props';
import type { WindowRequest } from '../windows/writer';

const mockGet = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: () => ({ get: mockGet }),
  config: { ...jest.requireActual('@grafana/runtime').config, bootData: { user: { login: 'noc-anna' } } },
}));

/** The panel's query: one TrafficLens target. */
const request = {
  targets: [{ refId: 'A', datasource: { uid: 'tl', type: 'trafficlens-anomaly-datasource' } }],
} as never;

function trafficLens(answer: (r: WindowRequest) => Promise<unknown>) {
  const ds = { name: 'TrafficLens prod', createMaintenanceWindow: jest.fn(answer) };
  mockGet.mockImplementation(async (ref: { uid: string }) => {
    if (ref.uid !== 'tl') {
      throw new Error(`Datasource ${ref.uid} was not found`);
    }
    return ds;
  });
  return ds;
}

/** A dashboard range that reaches 5 hours past now, so a selection can cover time still to come. */
function ahead(): TimeRange {
  const from = dateTime(Date.now() - 3_600_000);
  const to = dateTime(Date.now() + 5 * 3_600_000);
  return { from, to, raw: { from, to } };
}

function drag(row: HTMLElement, x0: number, x1: number, shiftKey: boolean) {
  fireEvent.mouseDown(row, { clientX: x0, shiftKey });
  fireEvent.mouseMove(row, { clientX: x1, shiftKey });
  fireEvent.mouseUp(row, { clientX: x1, shiftKey });
}

beforeEach(() => mockGet.mockReset());

describe('maintenance window from a selected range', () => {
  it('shift-drag opens the form for that series; Create stores a window matching its labels over the range', async () => {
    const ds = trafficLens(async (r) => ({
      window: { id: 'w-17', matchers: ['link="transit-1"'], startsAt: r.startsAt, endsAt: r.endsAt },
      warnings: [],
    }));
    const p = {
      ...props([trafficLensFrame('transit-1', { labels: { link: 'transit-1', site: 'ams' } })], { request }),
      timeRange: ahead(),
    };
    render(<AnomalyPanel {...p} />);
    drag(screen.getByTestId('trafficlens-overlay-row'), 200, 500, true);
    const form = await screen.findByTestId('trafficlens-maintenance-form');
    expect(p.onChangeTimeRange).not.toHaveBeenCalled();
    expect(form).toHaveTextContent('Maintenance window for transit-1');
    expect(screen.getByTestId('trafficlens-maintenance-matchers')).toHaveTextContent(
      'link="transit-1", site="ams"',
    );
    expect(screen.getByLabelText('Author')).toHaveValue('noc-anna');
    fireEvent.change(screen.getByLabelText('Comment'), { target: { value: 'fibre work CHG-1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create window' }));
    await waitFor(() =>
      expect(screen.getByTestId('trafficlens-maintenance-form')).toHaveTextContent('Window w-17 saved'),
    );
    expect(ds.createMaintenanceWindow).toHaveBeenCalledTimes(1);
    const sent = ds.createMaintenanceWindow.mock.calls[0][0];
    expect(sent).toMatchObject({
      labels: { link: 'transit-1', site: 'ams' },
      author: 'noc-anna',
      comment: 'fibre work CHG-1234',
    });
    // The range is the one selected: inside the panel's time range, ordered, not the whole of it.
    const range = p.timeRange;
    expect(sent.startsAt).toBeGreaterThan(range.from.valueOf());
    expect(sent.endsAt).toBeGreaterThan(sent.startsAt);
    expect(sent.endsAt).toBeLessThan(range.to.valueOf());
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByTestId('trafficlens-maintenance-form')).toBeNull();
  });

  it('a plain drag still zooms and opens no form', () => {
    trafficLens(async () => ({}));
    const p = props([trafficLensFrame()], { request });
    render(<AnomalyPanel {...p} />);
    drag(screen.getByTestId('trafficlens-overlay-row'), 200, 500, false);
    expect(p.onChangeTimeRange).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('trafficlens-maintenance-form')).toBeNull();
  });

  it('says why nothing can be saved when no datasource of the panel stores windows', async () => {
    mockGet.mockResolvedValue({ name: 'Prometheus', query: jest.fn() });
    render(<AnomalyPanel {...props([trafficLensFrame()], { request })} timeRange={ahead()} />);
    drag(screen.getByTestId('trafficlens-overlay-row'), 200, 500, true);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No TrafficLens datasource here can store windows',
    );
    expect(screen.getByRole('button', { name: 'Create window' })).toBeDisabled();
  });

  it('refuses a range that has ended before asking the scorer, and says what to select instead', async () => {
    const ds = trafficLens(async () => ({}));
    // props(): the dashboard's default range, the last 6 hours up to now.
    render(<AnomalyPanel {...props([trafficLensFrame()], { request })} />);
    drag(screen.getByTestId('trafficlens-overlay-row'), 200, 500, true);
    expect(await screen.findByRole('alert')).toHaveTextContent('This range has ended');
    expect(screen.getByRole('button', { name: 'Create window' })).toBeDisabled();
    expect(ds.createMaintenanceWindow).not.toHaveBeenCalled();
  });

  it('shows the scorer’s refusal and keeps the form to try again', async () => {
    const ds = trafficLens(async () => {
      throw new Error('POST /api/v1/windows: the operator store /var/lib/tl.db is read-only (HTTP 503)');
    });
    render(<AnomalyPanel {...props([trafficLensFrame()], { request })} timeRange={ahead()} />);
    drag(screen.getByTestId('trafficlens-overlay-row'), 200, 500, true);
    fireEvent.click(await screen.findByRole('button', { name: 'Create window' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not saved: POST /api/v1/windows: the operator store',
    );
    expect(screen.getByRole('button', { name: 'Create window' })).toBeEnabled();
    expect(ds.createMaintenanceWindow).toHaveBeenCalledTimes(1);
  });
});
