import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AnomalyPanel } from './AnomalyPanel';
import { trafficLensFrame } from '../testing/frames';
import { props } from '../testing/props';

/** A link direction whose last point scores `score` (0.2: ok). */
const link = (site: string, name: string, direction: string, score = 0.2) =>
  trafficLensFrame(`${site} ${name} ${direction}`, {
    n: 41,
    spikeAt: score > 1 ? 40 : -1,
    spikeScore: score,
    labels: { site, link: name, direction },
  });

const frames = [
  link('nyc', 'transit-1', 'in'),
  link('fra', 'ix', 'in', 1.5),
  link('ams', 'transit-1', 'in', 5),
  link('ams', 'transit-1', 'out'),
  link('ams', 'ix', 'in', 3),
  link('ams', 'ix', 'out'),
];

const tiles = () => screen.getAllByTestId('trafficlens-tile');
const names = () => screen.getAllByTestId('trafficlens-tile-name').map((n) => n.textContent);

function renderWall() {
  render(<AnomalyPanel {...props(frames, {}, { mode: 'noc', rollUp: 'site, link' })} />);
}

describe('NOC wall roll-up', () => {
  it('shows a tile per site, the worst first, with counts by severity', () => {
    renderWall();
    expect(names()).toEqual(['site=ams', 'site=fra', 'site=nyc']);
    expect(tiles().map((t) => t.getAttribute('data-status'))).toEqual(['critical', 'minor', 'ok']);
    const counts = screen.getAllByTestId('trafficlens-tile-counts').map((c) => c.textContent);
    expect(counts).toEqual(['1 critical1 major', '1 minor', 'OK']);
    expect(tiles()[0]).toHaveAccessibleName(
      'site=ams: CRITICAL 80; 1 critical, 1 major; 2 of 4 series anomalous. Open',
    );
    expect(tiles()[0]).toHaveTextContent('2/4 anomalous');
    expect(screen.getByTestId('trafficlens-noc-crumbs')).toHaveTextContent('All sites');
  });

  it('opens a site into its links and a link into its series by click, and goes back by the path', async () => {
    const user = userEvent.setup();
    renderWall();
    await user.click(tiles()[0]);
    expect(names()).toEqual(['link=transit-1', 'link=ix']);
    expect(screen.getByTestId('trafficlens-noc-crumbs')).toHaveTextContent('All sites›site=ams');
    await user.click(screen.getByRole('button', { name: /^link=ix/ }));
    expect(tiles().map((t) => t.getAttribute('aria-label'))).toEqual([
      'ams ix in: MAJOR 67',
      'ams ix out: OK',
    ]);
    await user.click(screen.getByRole('button', { name: 'All sites' }));
    expect(names()).toEqual(['site=ams', 'site=fra', 'site=nyc']);
  });

  it('works from the keyboard: Tab to a site, Enter opens it with the focus on its worst link, Escape goes up', async () => {
    const user = userEvent.setup();
    renderWall();
    await user.tab();
    expect(tiles()[0]).toHaveFocus();
    await user.tab();
    expect(document.activeElement).toHaveAttribute('data-group', 'site=fra');
    await user.keyboard('{Enter}');
    expect(names()).toEqual(['link=ix']);
    expect(tiles()[0]).toHaveFocus();
    await user.keyboard(' ');
    expect(tiles()[0]).toHaveAccessibleName('fra ix in: MINOR 33');
    expect(tiles()[0]).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(names()).toEqual(['link=ix']);
    await user.keyboard('{Escape}');
    expect(names()).toEqual(['site=ams', 'site=fra', 'site=nyc']);
    expect(tiles()[0]).toHaveFocus();
  });

  it('without the option keeps one tile per series', () => {
    render(<AnomalyPanel {...props(frames, {}, { mode: 'noc' })} />);
    expect(tiles()).toHaveLength(6);
    expect(screen.queryByTestId('trafficlens-noc-crumbs')).not.toBeInTheDocument();
  });
});
