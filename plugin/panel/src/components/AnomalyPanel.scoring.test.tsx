/**
 * Plain series (from any datasource) scored through the TrafficLens datasource chosen under
 * "Score with". Grafana's datasource service is mocked; the datasource is a fake with the same
 * scoreSeries contract as plugin/datasource's (whose own tests and the contract test in test/contract
 * check the real one against a live scorer).
 */
import React from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import { AnomalyPanel } from './AnomalyPanel';
import { clearScoreCache } from '../scoring/useScoredSeries';
import type { SeriesToScore } from '../scoring/batch';
import type { ScoreOptions } from '../scoring/scorer';
import { plainFrame, scoredFrames, trafficLensFrame } from '../testing/frames';
import { props } from '../testing/props';
import type { PanelOptions } from '../types';

const mockGet = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getDataSourceSrv: () => ({ get: mockGet }),
}));

type Answer = (series: SeriesToScore[], options: ScoreOptions) => Promise<DataFrame[]>;

/** A TrafficLens datasource instance as getDataSourceSrv().get() returns it. */
function trafficLens(answer: Answer = async (series) => scoredFrames(series)) {
  const ds = {
    name: 'TrafficLens prod',
    type: 'trafficlens-anomaly-datasource',
    scoreSeries: jest.fn(answer),
  };
  mockGet.mockImplementation(async (ref: { uid: string }) => {
    if (ref.uid !== 'tl') {
      throw new Error(`Datasource ${ref.uid} was not found`);
    }
    return ds;
  });
  return ds;
}

const scoreWith = (extra: Partial<PanelOptions> = {}): Partial<PanelOptions> => ({
  scoreWith: { uid: 'tl', type: 'trafficlens-anomaly-datasource' },
  ...extra,
});

/** A promise the test settles by hand, to look at the panel while a request runs. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

beforeEach(() => {
  mockGet.mockReset();
  clearScoreCache();
});

describe('scoring plain series with a TrafficLens datasource', () => {
  it('without "Score with", draws them unscored, says how to score them and asks nothing', () => {
    render(<AnomalyPanel {...props([plainFrame()])} />);
    expect(screen.getByTestId('trafficlens-notice-unscored')).toHaveTextContent(
      'choose a TrafficLens datasource under "Score with"',
    );
    expect(mockGet).not.toHaveBeenCalled();
  });

  it('sends every plain series with the chosen detector and sensitivity and overlays the scores', async () => {
    const ds = trafficLens();
    render(
      <AnomalyPanel {...props([plainFrame()], {}, scoreWith({ detector: 'robust', sensitivity: 70 }))} />,
    );
    await waitFor(() =>
      expect(
        screen.getAllByTestId('trafficlens-overlay-row').map((r) => r.getAttribute('aria-label')),
      ).toEqual(['in: 1 anomaly episodes', 'out: 1 anomaly episodes']),
    );
    expect(mockGet).toHaveBeenCalledWith({ uid: 'tl', type: 'trafficlens-anomaly-datasource' });
    expect(ds.scoreSeries).toHaveBeenCalledTimes(1);
    const [sent, options] = ds.scoreSeries.mock.calls[0];
    expect(sent.map((s) => [s.name, s.timestamps.length, s.values[29]])).toEqual([
      ['in', 30, 29],
      ['out', 30, 58],
    ]);
    expect(options).toMatchObject({ detector: 'robust', sensitivity: 70 });
    expect(options.signal).toBeInstanceOf(AbortSignal);
    expect(screen.queryByTestId('trafficlens-notice-unscored')).toBeNull();
    expect(screen.queryByTestId('trafficlens-notice-scoring')).toBeNull();
  });

  it("leaves detector and sensitivity to the datasource's defaults when they are empty", async () => {
    const ds = trafficLens();
    render(
      <AnomalyPanel {...props([plainFrame()], {}, scoreWith({ detector: '', sensitivity: undefined }))} />,
    );
    await waitFor(() => expect(ds.scoreSeries).toHaveBeenCalled());
    expect(ds.scoreSeries.mock.calls[0][1]).toMatchObject({ detector: undefined, sensitivity: undefined });
  });

  it('sends the time zone of the options, and scores again when it changes', async () => {
    const ds = trafficLens();
    const { rerender } = render(
      <AnomalyPanel {...props([plainFrame()], {}, scoreWith({ timezone: ' Europe/Berlin ' }))} />,
    );
    await waitFor(() => expect(ds.scoreSeries).toHaveBeenCalledTimes(1));
    expect(ds.scoreSeries.mock.calls[0][1]).toMatchObject({ timezone: 'Europe/Berlin' });
    rerender(<AnomalyPanel {...props([plainFrame()], {}, scoreWith({ timezone: '' }))} />);
    await waitFor(() => expect(ds.scoreSeries).toHaveBeenCalledTimes(2));
    expect(ds.scoreSeries.mock.calls[1][1]).not.toHaveProperty('timezone');
  });

  it('colours NOC tiles from the scores of plain series', async () => {
    trafficLens();
    render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith({ mode: 'noc' }))} />);
    await waitFor(() =>
      expect(screen.getAllByTestId('trafficlens-tile').map((t) => t.getAttribute('data-status'))).toEqual([
        'critical',
        'critical',
      ]),
    );
    expect(screen.getAllByTestId('trafficlens-tile')[0]).toHaveTextContent('in');
  });

  it('sends only the plain series when TrafficLens frames come with them', async () => {
    const ds = trafficLens();
    render(<AnomalyPanel {...props([trafficLensFrame('direct'), plainFrame()], {}, scoreWith())} />);
    await waitFor(() => expect(screen.queryByTestId('trafficlens-notice-scoring')).toBeNull());
    expect(ds.scoreSeries.mock.calls[0][0].map((s) => s.name)).toEqual(['influx in', 'influx out']);
    expect(screen.getAllByTestId('trafficlens-overlay-row')).toHaveLength(3);
  });

  it('asks nothing when every frame already carries scores', () => {
    trafficLens();
    render(<AnomalyPanel {...props([trafficLensFrame('direct')], {}, scoreWith())} />);
    expect(mockGet).not.toHaveBeenCalled();
    expect(screen.queryByTestId('trafficlens-notice-scoring')).toBeNull();
  });

  it('says it is scoring while the request runs, drawing the series meanwhile', async () => {
    const pending = deferred<DataFrame[]>();
    trafficLens(() => pending.promise);
    render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    expect(screen.getByTestId('trafficlens-notice-scoring')).toHaveTextContent('Scoring 2 series…');
    expect(screen.getAllByTestId('trafficlens-overlay-row')).toHaveLength(2);
    await act(async () =>
      pending.resolve(
        scoredFrames([
          { name: 'a', ...times() },
          { name: 'b', ...times() },
        ]),
      ),
    );
    expect(screen.queryByTestId('trafficlens-notice-scoring')).toBeNull();
  });

  it('scores the same input once: re-renders and remounts with equal frames use the answer it has', async () => {
    const ds = trafficLens();
    const { rerender, unmount } = render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    await waitFor(() => expect(screen.queryByTestId('trafficlens-notice-scoring')).toBeNull());
    // New frame objects, same content: what a dashboard refresh with unchanged data gives.
    rerender(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    unmount();
    render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    await waitFor(() =>
      expect(screen.getAllByTestId('trafficlens-overlay-row')[0]).toHaveAttribute(
        'aria-label',
        'in: 1 anomaly episodes',
      ),
    );
    expect(ds.scoreSeries).toHaveBeenCalledTimes(1);
    // Another sensitivity is another answer.
    render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith({ sensitivity: 90 }))} />);
    await waitFor(() => expect(ds.scoreSeries).toHaveBeenCalledTimes(2));
  });

  it('cancels the request for stale data and shows only the answer for the current data', async () => {
    const first = deferred<DataFrame[]>();
    const second = deferred<DataFrame[]>();
    const ds = trafficLens(jest.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise));
    const { rerender } = render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith({ mode: 'noc' }))} />);
    await waitFor(() => expect(ds.scoreSeries).toHaveBeenCalledTimes(1));
    const changed = withLastValue(plainFrame(), 1000);
    rerender(<AnomalyPanel {...props([changed], {}, scoreWith({ mode: 'noc' }))} />);
    await waitFor(() => expect(ds.scoreSeries).toHaveBeenCalledTimes(2));
    expect(ds.scoreSeries.mock.calls[0][1].signal?.aborted).toBe(true);
    expect(ds.scoreSeries.mock.calls[1][1].signal?.aborted).toBe(false);
    expect(ds.scoreSeries.mock.calls[1][0][0].values[29]).toBe(1000);

    // The stale answer arrives late: ignored.
    await act(async () => first.resolve(scoredFrames(ds.scoreSeries.mock.calls[0][0])));
    expect(screen.getByTestId('trafficlens-notice-scoring')).toBeInTheDocument();
    await act(async () => second.resolve(scoredFrames(ds.scoreSeries.mock.calls[1][0])));
    expect(screen.queryByTestId('trafficlens-notice-scoring')).toBeNull();
    // 1000 without a unit is shown in Grafana's short unit (the stale answer's last value was 29).
    expect(screen.getAllByTestId('trafficlens-tile')[0]).toHaveTextContent('1 K');
  });

  it('cancels the request when the panel goes away', async () => {
    const ds = trafficLens(() => new Promise(() => {}));
    const { unmount } = render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    await waitFor(() => expect(ds.scoreSeries).toHaveBeenCalledTimes(1));
    unmount();
    expect(ds.scoreSeries.mock.calls[0][1].signal?.aborted).toBe(true);
  });

  it('names a chosen datasource that is not TrafficLens', async () => {
    mockGet.mockResolvedValue({
      name: 'Prometheus',
      type: 'prometheus',
      meta: { id: 'prometheus' },
      query: jest.fn(),
    });
    render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Not a TrafficLens datasource');
    expect(alert).toHaveTextContent('“Prometheus” (prometheus) cannot score series');
    expect(alert).toHaveTextContent('trafficlens-anomaly-datasource');
  });

  it('says when the chosen datasource no longer exists', async () => {
    trafficLens();
    render(<AnomalyPanel {...props([plainFrame()], {}, { scoreWith: { uid: 'gone' } })} />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Scoring datasource not found');
    expect(alert).toHaveTextContent('“gone” (Score with) cannot be loaded: Datasource gone was not found');
  });

  it("shows the scorer's message when scoring fails", async () => {
    trafficLens(async () => {
      throw Object.assign(
        new Error('POST /api/v1/score: detector "lstm" needs a trained model (HTTP 400 invalid_request)'),
        {
          name: 'ScorerError',
          status: 400,
        },
      );
    });
    render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Scoring with TrafficLens prod failed');
    expect(alert).toHaveTextContent('detector "lstm" needs a trained model (HTTP 400 invalid_request)');
  });

  it('explains a 413: what the scorer said and what to change', async () => {
    trafficLens(async () => {
      throw Object.assign(
        new Error('POST /api/v1/score: request body larger than 20971520 bytes (HTTP 413 payload_too_large)'),
        {
          status: 413,
        },
      );
    });
    render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Too much data to score');
    expect(alert).toHaveTextContent(
      'TrafficLens prod refused the request as too large: POST /api/v1/score: request body larger than 20971520 bytes',
    );
    expect(alert).toHaveTextContent('Narrow the query or the time range');
  });

  it.each([
    ['no frames', () => []],
    ['frames without scores', (s: SeriesToScore[]) => s.map(() => plainFrame())],
    ['fewer frames than series', (s: SeriesToScore[]) => scoredFrames(s.slice(1))],
    ['not frames at all', () => [null, 'x'] as unknown as DataFrame[]],
  ])('reports a malformed answer (%s) instead of drawing it', async (_, answer) => {
    trafficLens(async (series) => answer(series));
    render(<AnomalyPanel {...props([plainFrame()], {}, scoreWith())} />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Unexpected answer from TrafficLens prod');
    expect(alert).toHaveTextContent('2 series sent');
  });

  it('scores what fits in one request and says how many series were left unscored', async () => {
    const wide = createDataFrame({
      name: 'snmp',
      fields: [
        { name: 'time', type: FieldType.time, values: [1, 2] },
        ...Array.from({ length: 205 }, (_, i) => ({
          name: `if${i}`,
          type: FieldType.number,
          values: [i, i + 1],
        })),
      ],
    });
    const ds = trafficLens();
    render(<AnomalyPanel {...props([wide], {}, scoreWith({ mode: 'noc' }))} />);
    await waitFor(() => expect(screen.queryByTestId('trafficlens-notice-scoring')).toBeNull());
    expect(ds.scoreSeries.mock.calls[0][0]).toHaveLength(200);
    expect(screen.getByTestId('trafficlens-notice-skipped')).toHaveTextContent(
      '5 series not scored: the panel scores at most 200 series and 500,000 points at once',
    );
  });
});

function times() {
  const frame = plainFrame();
  return { timestamps: frame.fields[0].values as number[], values: frame.fields[1].values as number[] };
}

function withLastValue(frame: DataFrame, value: number): DataFrame {
  return {
    ...frame,
    fields: frame.fields.map((f) =>
      f.name === 'in'
        ? { ...f, values: f.values.map((v: number, i: number) => (i === f.values.length - 1 ? value : v)) }
        : f,
    ),
  };
}
