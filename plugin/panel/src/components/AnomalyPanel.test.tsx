import React from 'react';
import { render, screen } from '@testing-library/react';
import { createDataFrame, FieldType, LoadingState } from '@grafana/data';
import { AnomalyPanel } from './AnomalyPanel';
import { plainFrame, trafficLensFrame } from '../testing/frames';
import { props } from '../testing/props';

describe('AnomalyPanel states', () => {
  it('says "No data" for no frames', () => {
    render(<AnomalyPanel {...props([])} />);
    expect(screen.getByTestId('trafficlens-state-empty')).toHaveTextContent('No data');
  });

  it('shows the query error', () => {
    render(
      <AnomalyPanel
        {...props([], { state: LoadingState.Error, errors: [{ message: 'scorer unreachable: 502' }] })}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Query error');
    expect(screen.getByRole('alert')).toHaveTextContent('scorer unreachable: 502');
  });

  it('shows loading while the first query runs', () => {
    render(<AnomalyPanel {...props([], { state: LoadingState.Loading })} />);
    expect(screen.getByTestId('trafficlens-state-loading')).toBeInTheDocument();
  });

  it('names the problems when no frame can be drawn', () => {
    const noTime = createDataFrame({
      name: 'cpu',
      fields: [{ name: 'v', type: FieldType.number, values: [1] }],
    });
    render(<AnomalyPanel {...props([noTime, 'garbage', null])} />);
    expect(screen.getByRole('alert')).toHaveTextContent('frame cpu has no time field');
    expect(screen.getByRole('alert')).toHaveTextContent('frame 2 is not a data frame');
  });

  it.each(['overlay', 'noc'] as const)('draws malformed-but-usable frames without crashing (%s)', (mode) => {
    const ragged = createDataFrame({
      name: 'ragged',
      fields: [
        { name: 'time', type: FieldType.time, values: [3, 1, 2] },
        { name: 'value', type: FieldType.number, values: [NaN, 'x', null] },
        { name: 'score', type: FieldType.number, values: [Infinity] },
        { name: 'anomaly', type: FieldType.boolean, values: ['yes'] },
      ],
    });
    render(<AnomalyPanel {...props([ragged, trafficLensFrame('ok')], {}, { mode })} />);
    expect(screen.getByTestId('trafficlens-notice-problems')).toHaveTextContent('different lengths');
    expect(
      screen.getByTestId(mode === 'noc' ? 'trafficlens-noc' : 'trafficlens-overlay'),
    ).toBeInTheDocument();
  });

  it('says where scores come from for plain series', () => {
    render(<AnomalyPanel {...props([plainFrame()])} />);
    expect(screen.getByTestId('trafficlens-notice-unscored')).toHaveTextContent('TrafficLens datasource');
    expect(screen.getAllByTestId('trafficlens-overlay-row')).toHaveLength(2);
  });

  it('says which series are learning', () => {
    render(
      <AnomalyPanel {...props([trafficLensFrame('a', { state: 'learning' }), trafficLensFrame('b')])} />,
    );
    expect(screen.getByTestId('trafficlens-notice-learning')).toHaveTextContent('1 of 2 series learning');
  });

  it('keeps partial results and shows the error beside them', () => {
    render(
      <AnomalyPanel
        {...props([trafficLensFrame('a')], { state: LoadingState.Error, errors: [{ message: 'B failed' }] })}
      />,
    );
    expect(screen.getByTestId('trafficlens-notice-error')).toHaveTextContent('B failed');
    expect(screen.getAllByTestId('trafficlens-overlay-row')).toHaveLength(1);
  });
});

describe('NOC wall', () => {
  it('sorts tiles by severity and shows status, value and open-episode age', () => {
    const frames = [
      trafficLensFrame('quiet', { spikeAt: -1 }),
      trafficLensFrame('hot', { n: 41, spikeAt: 40 }),
    ];
    const p = props(frames, {}, { mode: 'noc' });
    render(<AnomalyPanel {...p} />);
    const tiles = screen.getAllByTestId('trafficlens-tile');
    expect(tiles.map((t) => t.getAttribute('data-status'))).toEqual(['critical', 'ok']);
    expect(tiles[0]).toHaveTextContent('hot');
    expect(tiles[0]).toHaveTextContent('CRITICAL 75');
    expect(tiles[0]).toHaveTextContent('400 b/s');
    expect(screen.getByTestId('trafficlens-tile-age')).toHaveTextContent(/open \d/);
    expect(tiles[1]).toHaveTextContent('OK');
  });

  it('names tiles by what tells them apart and keeps the full name in the tooltip', () => {
    const metric = 'interface_bytes_per_second';
    const frames = ['ams', 'fra'].map((site) =>
      trafficLensFrame(`${site} transit-1 in interface bytes per second`, {
        spikeAt: -1,
        labels: { metric, site, link: 'transit-1', direction: 'in' },
      }),
    );
    render(<AnomalyPanel {...props(frames, {}, { mode: 'noc' })} />);
    expect(screen.getAllByTestId('trafficlens-tile-name').map((n) => n.textContent)).toEqual(['ams', 'fra']);
    expect(screen.getAllByTestId('trafficlens-tile')[0]).toHaveAttribute(
      'title',
      'ams transit-1 in interface bytes per second',
    );
    expect(screen.getByLabelText('fra transit-1 in interface bytes per second: OK')).toBeInTheDocument();
  });

  it('pages many tiles', () => {
    const frames = Array.from({ length: 30 }, (_, i) => trafficLensFrame(`link-${i}`, { spikeAt: -1 }));
    render(<AnomalyPanel {...props(frames, {}, { mode: 'noc' })} />);
    expect(screen.getByTestId('trafficlens-noc-pager')).toHaveTextContent('page 1 /');
  });
});
