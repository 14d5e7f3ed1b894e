/**
 * A click inside an episode of a continuous job's series opens its feedback form; the verdict goes to the
 * job through the TrafficLens datasource of the panel's query. Grafana's datasource service is mocked; the
 * datasource is a fake with the same sendEpisodeFeedback contract as plugin/datasource's (tested there).
 */
import React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { dateTime, type DataFrame, type TimeRange } from '@grafana/data';
import { AnomalyPanel } from './AnomalyPanel';
import { trafficLensFrame } from '../testing/frames';
import { props } from '../testing/props';
import type { FeedbackRequest } from '../windows/writer';

const mockGet = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: () => ({ get: mockGet }),
  config: { ...jest.requireActual('@grafana/runtime').config, bootData: { user: { login: 'noc-anna' } } },
}));

const request = {
  targets: [{ refId: 'A', datasource: { uid: 'tl', type: 'trafficlens-anomaly-datasource' } }],
} as never;

/** A job's series (meta.custom.job) with one spike at index 40 of 60 one-minute points, closed or open. */
function jobFrame(job: string | undefined, open = false): DataFrame {
  const frame = trafficLensFrame('transit-1', {
    labels: { link: 'transit-1', site: 'ams' },
    spikeAt: open ? 59 : 40,
  });
  frame.meta = { ...frame.meta, custom: { ...frame.meta?.custom, ...(job ? { job } : {}) } };
  return frame;
}

/** The frame's own hour as the dashboard's range. */
function range(frame: DataFrame): TimeRange {
  const times = frame.fields[0].values as number[];
  const from = dateTime(times[0]);
  const to = dateTime(times[times.length - 1]);
  return { from, to, raw: { from, to } };
}

function trafficLens(answer: (r: FeedbackRequest) => Promise<unknown>, undo?: (id: string) => Promise<void>) {
  const ds = {
    name: 'TrafficLens prod',
    sendEpisodeFeedback: jest.fn(answer),
    ...(undo ? { undoEpisodeFeedback: jest.fn(undo) } : {}),
  };
  mockGet.mockImplementation(async () => ds);
  return ds;
}

/**
 * Clicks along the row (a click is a press and release without a drag) until a feedback form opens;
 * `move`: with the mouse moved there first, as a mouse does (a touch does not).
 */
async function clickEpisode(move = true) {
  const row = screen.getByTestId('trafficlens-overlay-row');
  for (let x = 0; x <= 800; x += 4) {
    // Inside the plot, below the title line (a click there opens the series' sensitivity instead).
    if (move) {
      fireEvent.mouseMove(row, { clientX: x, clientY: 100 });
    }
    fireEvent.mouseDown(row, { clientX: x, clientY: 100 });
    fireEvent.mouseUp(row, { clientX: x, clientY: 100 });
    await act(async () => undefined);
    if (screen.queryByTestId('trafficlens-feedback-form')) {
      return screen.getByTestId('trafficlens-feedback-form');
    }
  }
  return null;
}

beforeEach(() => mockGet.mockReset());

describe('feedback on an episode', () => {
  it('opens on a click with no mouse move before it (a touch; before, the click read the last hover)', async () => {
    trafficLens(async () => ({ feedback: { id: 'f-1' } }));
    const frame = jobFrame('edge');
    render(<AnomalyPanel {...props([frame], { request })} timeRange={range(frame)} />);
    expect(await clickEpisode(false)).not.toBeNull();
  });

  it('a click inside an episode of a job series sends the verdict to that job, and says what it changes', async () => {
    const ds = trafficLens(async () => ({
      feedback: { id: 'f-3' },
      effect: 'transit-1 now tolerates up-deviations up to 1.2× this peak around 08:40 UTC',
    }));
    const frame = jobFrame('edge');
    render(<AnomalyPanel {...props([frame], { request })} timeRange={range(frame)} />);
    const form = await clickEpisode();
    expect(form).not.toBeNull();
    expect(form).toHaveTextContent('transit-1');
    fireEvent.change(screen.getByLabelText('Note'), { target: { value: 'nightly backup' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send feedback' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Feedback f-3 saved'));
    expect(screen.getByRole('status')).toHaveTextContent('now tolerates');
    const sent = ds.sendEpisodeFeedback.mock.calls[0][0];
    expect(sent).toMatchObject({
      job: 'edge',
      labels: { link: 'transit-1', site: 'ams' },
      verdict: 'false_positive',
      note: 'nightly backup',
      author: 'noc-anna',
    });
    // The episode the click landed in: around the spike at index 40.
    const times = frame.fields[0].values as number[];
    expect(sent.episodeStart).toBeLessThanOrEqual(times[40]);
    expect(sent.episodeEnd).toBeGreaterThanOrEqual(times[40]);
  });

  it('saved feedback can be undone from the form; a refusal is shown and Undo stays', async () => {
    let refuse = true;
    const ds = trafficLens(
      async () => ({ feedback: { id: 'f-5' }, effect: 'transit-1 now tolerates …' }),
      async () => {
        if (refuse) {
          throw new Error('the database is read-only');
        }
      },
    );
    const frame = jobFrame('edge');
    render(<AnomalyPanel {...props([frame], { request })} timeRange={range(frame)} />);
    expect(await clickEpisode()).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Send feedback' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Feedback f-5 saved'));
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent('Not undone: the database is read-only'),
    );
    expect(screen.getByRole('status')).toHaveTextContent('Feedback f-5 saved');
    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Feedback f-5 undone'));
    expect(ds.undoEpisodeFeedback!.mock.calls.map((c) => c[0])).toEqual(['f-5', 'f-5']);
    expect(screen.queryByRole('button', { name: 'Undo' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Close' })).toBeInTheDocument();
  });

  it('a datasource without undo shows no Undo button', async () => {
    trafficLens(async () => ({ feedback: { id: 'f-6' }, effect: 'held out' }));
    const frame = jobFrame('edge');
    render(<AnomalyPanel {...props([frame], { request })} timeRange={range(frame)} />);
    expect(await clickEpisode()).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Send feedback' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Feedback f-6 saved'));
    expect(screen.queryByRole('button', { name: 'Undo' })).toBeNull();
  });

  it("a series that is not a job's own results (no job in its frame) opens no form", async () => {
    trafficLens(async () => ({}));
    const frame = jobFrame(undefined);
    render(<AnomalyPanel {...props([frame], { request })} timeRange={range(frame)} />);
    expect(await clickEpisode()).toBeNull();
    expect(mockGet).not.toHaveBeenCalled();
  });

  it('an open episode can be marked a true incident, not yet a false positive', async () => {
    const ds = trafficLens(async () => ({ feedback: { id: 'f-4' }, effect: 'held out of the baselines' }));
    const frame = jobFrame('edge', true);
    render(<AnomalyPanel {...props([frame], { request })} timeRange={range(frame)} />);
    const form = await clickEpisode();
    expect(form).not.toBeNull();
    expect(screen.getByRole('alert')).toHaveTextContent('still open');
    expect(screen.getByRole('button', { name: 'Send feedback' })).toBeDisabled();
    fireEvent.click(screen.getByRole('radio', { name: 'True incident' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send feedback' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Feedback f-4 saved'));
    const sent = ds.sendEpisodeFeedback.mock.calls[0][0];
    expect(sent.verdict).toBe('true_incident');
    expect(sent).not.toHaveProperty('episodeEnd');
  });
});
