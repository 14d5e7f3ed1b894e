import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';
import { ConfigEditor } from './ConfigEditor';
import type { TrafficLensOptions, TrafficLensSecureOptions } from '../types';

type Settings = DataSourceSettings<TrafficLensOptions, TrafficLensSecureOptions>;

function settings(
  jsonData: TrafficLensOptions = {},
  secureJsonFields: Record<string, boolean> = {},
): Settings {
  return {
    id: 1,
    uid: 'tl',
    orgId: 1,
    name: 'TrafficLens',
    type: 'trafficlens-anomaly-datasource',
    typeName: 'TrafficLens Anomaly',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData,
    secureJsonFields,
  } as Settings;
}

/** Renders the editor as Grafana does: every change comes back as the new options. */
function setup(initial: Settings) {
  const onOptionsChange = jest.fn();
  const view = render(<ConfigEditor options={initial} onOptionsChange={onOptionsChange} />);
  onOptionsChange.mockImplementation((next: Settings) =>
    view.rerender(<ConfigEditor options={next} onOptionsChange={onOptionsChange} />),
  );
  const last = (): Settings => onOptionsChange.mock.calls.at(-1)?.[0];
  return { onOptionsChange, last };
}

describe('ConfigEditor', () => {
  it('shows the scorer URL, token, default detector and sensitivity', () => {
    setup(settings({ scorerUrl: 'http://scorer:8686', defaultDetector: 'robust', defaultSensitivity: 70 }));
    expect(screen.getByLabelText(/Scorer URL/)).toHaveValue('http://scorer:8686');
    expect(screen.getByLabelText(/API token/)).toHaveValue('');
    expect(screen.getByLabelText(/Default detector/)).toHaveValue('robust');
    expect(screen.getByLabelText(/Default sensitivity/)).toHaveValue(70);
  });

  it('stores the URL in jsonData as it is typed', async () => {
    const { last } = setup(settings());
    await userEvent.type(screen.getByLabelText(/Scorer URL/), 'http://localhost:8686');
    expect(last().jsonData.scorerUrl).toBe('http://localhost:8686');
  });

  it('flags a URL without a scheme', () => {
    setup(settings({ scorerUrl: 'localhost:8686' }));
    expect(screen.getByText('expected http(s)://host:port')).toBeInTheDocument();
  });

  it('keeps the token in secureJsonData only', async () => {
    const { last } = setup(settings({ scorerUrl: 'http://scorer:8686' }));
    await userEvent.type(screen.getByLabelText(/API token/), 'a-token-of-16-chars');
    expect(last().secureJsonData).toEqual({ apiToken: 'a-token-of-16-chars' });
    expect(JSON.stringify(last().jsonData)).not.toContain('a-token');
  });

  it('shows a stored token as configured and resets it', async () => {
    const { last } = setup(settings({ scorerUrl: 'http://scorer:8686' }, { apiToken: true }));
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonFields.apiToken).toBe(false);
    expect(last().secureJsonData).toEqual({ apiToken: '' });
  });

  it('stores the sensitivity as a number and refuses values outside 0–100', async () => {
    const { last } = setup(settings());
    const input = screen.getByLabelText(/Default sensitivity/);
    await userEvent.type(input, '150');
    expect(last().jsonData.defaultSensitivity).toBe(150);
    expect(screen.getByText('sensitivity must be between 0 and 100, got 150')).toBeInTheDocument();
    await userEvent.clear(input);
    expect(last().jsonData.defaultSensitivity).toBeUndefined();
  });

  it('picks a default detector from the list', async () => {
    const { last } = setup(settings());
    await userEvent.click(screen.getByLabelText(/Default detector/));
    await userEvent.click(await screen.findByText('seasonal'));
    expect(last().jsonData.defaultDetector).toBe('seasonal');
  });
});
