import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSource } from '../datasource';
import { jobStatus } from '../testing/fixtures';
import type { TrafficLensQuery } from '../types';
import { QueryEditor } from './QueryEditor';

function fakeDataSource(overrides: Partial<DataSource> = {}): DataSource {
  return {
    defaultDetector: 'auto',
    defaultSensitivity: 50,
    getJobs: jest.fn(async () => [
      jobStatus(),
      jobStatus({ name: 'simulator-counters', detector: 'robust', sensitivity: 30 }),
    ]),
    getDetectors: jest.fn(async () =>
      ['auto', 'robust', 'seasonal'].map((name) => ({
        name: name as 'auto',
        description: `${name} detector`,
        default: name === 'auto',
        parameters: { sensitivity: {}, options: {} },
      })),
    ),
    ...overrides,
  } as unknown as DataSource;
}

/** Renders the editor as a panel does: onChange feeds the new query back in. */
function setup(initial: TrafficLensQuery, datasource = fakeDataSource()) {
  const onRunQuery = jest.fn();
  const onChange = jest.fn();
  const ui = (query: TrafficLensQuery) => (
    <QueryEditor query={query} datasource={datasource} onChange={onChange} onRunQuery={onRunQuery} />
  );
  const view = render(ui(initial));
  onChange.mockImplementation((next: TrafficLensQuery) => view.rerender(ui(next)));
  const last = (): TrafficLensQuery => onChange.mock.calls.at(-1)?.[0];
  return { onChange, onRunQuery, last, datasource };
}

describe('QueryEditor', () => {
  it("lists the scorer's jobs and runs the query when one is chosen", async () => {
    const { last, onRunQuery } = setup({ refId: 'A' });
    await userEvent.click(screen.getByLabelText('Job'));
    expect(await screen.findByText('simulator-counters')).toBeInTheDocument();
    expect(screen.getByText(/robust at sensitivity 30/)).toBeInTheDocument();
    await userEvent.click(screen.getByText('simulator-counters'));
    expect(last()).toMatchObject({ refId: 'A', job: 'simulator-counters' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('switches to PromQL: an expression and a step, with detector and sensitivity enabled', async () => {
    const { last, onRunQuery } = setup({ refId: 'A', job: 'simulator' });
    expect(screen.getByLabelText('Sensitivity')).toBeDisabled();
    await userEvent.click(screen.getByRole('radio', { name: 'PromQL' }));
    expect(last().mode).toBe('promql');
    expect(screen.queryByLabelText('Job')).not.toBeInTheDocument();
    expect(screen.queryByRole('radio', { name: 'Rescore' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('Sensitivity')).toBeEnabled();
    expect(screen.getByLabelText('Detector')).toBeEnabled();

    onRunQuery.mockClear();
    await userEvent.type(screen.getByLabelText('Expression'), 'rate(x[[5m])'); // [[ types a [
    expect(last().expr).toBe('rate(x[5m])');
    expect(onRunQuery).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText('Step'), '1m');
    expect(onRunQuery).toHaveBeenCalledTimes(1); // on leaving the expression
    expect(last().step).toBe('1m');
    await userEvent.type(screen.getByLabelText('Unit'), 'bps');
    expect(onRunQuery).toHaveBeenCalledTimes(2); // on leaving the step
    expect(last().unit).toBe('bps');
  });

  it('takes label matchers as typed, runs on blur and explains a bad one', async () => {
    const { last, onRunQuery } = setup({ refId: 'A', job: 'simulator' });
    const input = screen.getByPlaceholderText('site="ams", link=~"transit-.*"');
    await userEvent.type(input, 'site="ams"');
    expect(last().filter).toBe('site="ams"');
    expect(onRunQuery).not.toHaveBeenCalled();
    await userEvent.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    await userEvent.type(input, ' link');
    expect(screen.getByText(/label filter: expected "," between matchers/)).toBeInTheDocument();
  });

  it('keeps detector and sensitivity disabled, showing the job’s, until rescoring is chosen', async () => {
    const { last } = setup({ refId: 'A', job: 'simulator-counters' });
    const sensitivity = screen.getByLabelText('Sensitivity');
    expect(sensitivity).toBeDisabled();
    await waitFor(() => expect(sensitivity).toHaveAttribute('placeholder', '30'));
    expect(screen.getByLabelText('Detector')).toBeDisabled();

    await userEvent.click(screen.getByRole('radio', { name: 'Rescore' }));
    expect(last().rescore).toBe(true);
    expect(screen.getByLabelText('Sensitivity')).toBeEnabled();
    expect(screen.getByLabelText('Sensitivity')).toHaveAttribute('placeholder', '50');

    await userEvent.click(screen.getByLabelText('Detector'));
    await userEvent.click(await screen.findByText('seasonal'));
    expect(last().detector).toBe('seasonal');

    await userEvent.type(screen.getByLabelText('Sensitivity'), '120');
    expect(last().sensitivity).toBe(120);
    expect(screen.getByText('sensitivity must be between 0 and 100, got 120')).toBeInTheDocument();
  });

  it('takes a time zone for on-demand scoring and explains one that is not', async () => {
    const { last } = setup({ refId: 'A', mode: 'promql', expr: 'up' });
    const zone = screen.getByLabelText('Time zone');
    expect(zone).toBeEnabled();
    await userEvent.type(zone, 'Europe/Berlin');
    expect(last().timezone).toBe('Europe/Berlin');
    expect(screen.queryByText(/is not an IANA time zone/)).not.toBeInTheDocument();
    await userEvent.clear(zone);
    expect(last().timezone).toBeUndefined();
    await userEvent.type(zone, 'Mars/Base');
    expect(
      screen.getByText('"Mars/Base" is not an IANA time zone such as Europe/Berlin or America/New_York'),
    ).toBeInTheDocument();
  });

  it('turns fields off and on, keeping their canonical order', async () => {
    const { last } = setup({ refId: 'A', job: 'simulator' });
    await userEvent.click(screen.getByLabelText('band'));
    expect(last().fields).toEqual(['value', 'expected', 'score', 'anomaly']);
    await userEvent.click(screen.getByLabelText('band'));
    expect(last().fields).toEqual(['value', 'expected', 'band', 'score', 'anomaly']);
  });

  it('returns episodes on request, which makes the field choice moot', async () => {
    const { last } = setup({ refId: 'A', job: 'simulator' });
    await userEvent.click(screen.getByRole('radio', { name: 'Episodes' }));
    expect(last().format).toBe('episodes');
    expect(screen.getByLabelText('score')).toBeDisabled();
  });

  it('returns a forecast on request, with a horizon and a capacity that run the query on blur', async () => {
    const { last, onRunQuery } = setup({ refId: 'A', job: 'simulator' });
    expect(screen.queryByPlaceholderText('24h')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('radio', { name: 'Forecast' }));
    expect(last().format).toBe('forecast');
    expect(screen.getByLabelText('score')).toBeDisabled();
    await userEvent.type(screen.getByPlaceholderText('24h'), '7d');
    expect(last().horizon).toBe('7d');
    await userEvent.type(screen.getByPlaceholderText('none'), '1250000000');
    expect(last().capacity).toBe(1_250_000_000);
    onRunQuery.mockClear();
    await userEvent.tab();
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('sets the legend format', async () => {
    const { last } = setup({ refId: 'A', job: 'simulator' });
    await userEvent.type(screen.getByPlaceholderText('{{site}} {{link}}'), '{{{{site}}');
    expect(last().legendFormat).toBe('{{site}}');
  });

  it('shows why the job list could not be loaded', async () => {
    setup(
      { refId: 'A' },
      fakeDataSource({
        getJobs: jest.fn(async () => {
          throw new Error('GET /api/v1/jobs: invalid bearer token (HTTP 401 unauthorized)');
        }),
      }),
    );
    expect(await screen.findByText(/invalid bearer token/)).toBeInTheDocument();
  });
});

describe('QueryEditor: the job’s live sensitivity', () => {
  const preview = {
    job: 'simulator',
    days: 2,
    series: 23,
    candidates: [
      {
        sensitivity: 60,
        episodes: 84,
        episodesPerDay: 42,
        seriesAlerting: 20,
        summary: 'at 60: ≈42 alerts/day over 20 series; now 28',
      },
    ],
    current: {
      sensitivity: 50,
      episodes: 56,
      episodesPerDay: 28,
      seriesAlerting: 18,
      summary: 'now: ≈28 alerts/day',
    },
    live: {
      sensitivity: 50,
      episodes: 56,
      episodesPerDay: 28,
      seriesAlerting: 18,
      summary: 'live: ≈28 alerts/day',
    },
    perSeries: [],
  };

  it('previews the alerts another value would have sent over the query’s series, then applies it to the job', async () => {
    const previewJobAlerts = jest.fn(async () => preview);
    const setJobSensitivity = jest.fn(async () => ({ job: 'simulator', sensitivity: 60 }));
    const datasource = fakeDataSource({ previewJobAlerts, setJobSensitivity } as never);
    const { onRunQuery } = setup({ refId: 'A', job: 'simulator', filter: 'site="ams"' }, datasource);
    const input = await screen.findByLabelText('Live sensitivity');
    expect(input).toHaveAttribute('placeholder', '50');
    await userEvent.type(input, '60');
    await userEvent.click(screen.getByRole('button', { name: 'Preview alerts' }));
    await waitFor(() =>
      expect(screen.getByTestId('live-sensitivity-status')).toHaveTextContent(
        'at 60: ≈42 alerts/day over 20 series; now 28',
      ),
    );
    expect(previewJobAlerts).toHaveBeenCalledWith('simulator', 60, 'site="ams"');
    expect(setJobSensitivity).not.toHaveBeenCalled();
    const runsBefore = onRunQuery.mock.calls.length;
    const loadsBefore = (datasource.getJobs as jest.Mock).mock.calls.length;
    await userEvent.click(screen.getByRole('button', { name: 'Apply to simulator' }));
    await waitFor(() =>
      expect(screen.getByTestId('live-sensitivity-status')).toHaveTextContent('simulator alerts at 60'),
    );
    expect(setJobSensitivity).toHaveBeenCalledWith(
      'simulator',
      60,
      expect.any(String),
      'set from the query editor',
    );
    // The job's status is read again and the query runs: the panel shows what now alerts.
    await waitFor(() => expect((datasource.getJobs as jest.Mock).mock.calls.length).toBe(loadsBefore + 1));
    expect(onRunQuery.mock.calls.length).toBe(runsBefore + 1);
  });

  it('refuses a value off the scale without asking the scorer', async () => {
    const previewJobAlerts = jest.fn(async () => preview);
    setup({ refId: 'A', job: 'simulator' }, fakeDataSource({ previewJobAlerts } as never));
    await userEvent.type(await screen.findByLabelText('Live sensitivity'), '150');
    expect(screen.getByRole('button', { name: 'Preview alerts' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Apply to simulator' })).toBeDisabled();
    expect(previewJobAlerts).not.toHaveBeenCalled();
  });

  it('shows the scorer’s refusal', async () => {
    const previewJobAlerts = jest.fn(async () => {
      throw new Error(
        'POST /api/v1/jobs/simulator/preview: 1,200,000 points to replay, above the cap of 1,000,000 (HTTP 413)',
      );
    });
    setup({ refId: 'A', job: 'simulator' }, fakeDataSource({ previewJobAlerts } as never));
    await userEvent.type(await screen.findByLabelText('Live sensitivity'), '70');
    await userEvent.click(screen.getByRole('button', { name: 'Preview alerts' }));
    await waitFor(() =>
      expect(screen.getByTestId('live-sensitivity-status')).toHaveTextContent('above the cap'),
    );
  });

  it('is not offered when the job is rescored (those scores do not alert) nor for PromQL', async () => {
    setup({ refId: 'A', job: 'simulator', rescore: true });
    await screen.findByLabelText('Sensitivity');
    await waitFor(() => expect(screen.queryByLabelText('Live sensitivity')).not.toBeInTheDocument());
    setup({ refId: 'B', mode: 'promql', expr: 'up' });
    expect(screen.queryByLabelText('Live sensitivity')).not.toBeInTheDocument();
  });
});
