import React from 'react';
import { render, screen } from '@testing-library/react';
import { AnomalyPanel } from './AnomalyPanel';
import { forecastFrame, trafficLensFrame } from '../testing/frames';
import { props } from '../testing/props';

/** A forecast frame of `name` whose median reaches `fraction` of the capacity after `seconds` (null: never). */
function forecastOf(name: string, fraction: number, seconds: number | null, sentence: string) {
  const frame = forecastFrame(name);
  frame.meta = {
    custom: { forecast: { state: 'ok', threshold: { fraction, medianSeconds: seconds, sentence } } },
  };
  return frame;
}

describe('NOC wall: when a link fills up', () => {
  it('shows the forecast badge on the tile of the series it belongs to, urgent under a day, the sentence as its title', () => {
    const frames = [
      trafficLensFrame('transit-1'),
      trafficLensFrame('transit-2'),
      trafficLensFrame('ix'),
      forecastOf(
        'transit-1',
        0.8,
        3 * 86_400 + 4 * 3600,
        'transit-1 reaches 80 % of 10 Gb/s in about 3 days 4 hours',
      ),
      forecastOf('transit-2', 0.8, 5 * 3600, 'transit-2 reaches 80 % of 10 Gb/s in about 5 hours'),
      forecastOf('ix', 0.8, null, 'ix stays under 80 % of 10 Gb/s for the next 7 days'),
    ];
    render(<AnomalyPanel {...props(frames, {}, { mode: 'noc' })} />);
    const badges = screen.getAllByTestId('trafficlens-tile-fills');
    expect(badges.map((b) => b.textContent)).toEqual(['fills 80 % in 3d 4h', 'fills 80 % in 5h']);
    expect(badges.map((b) => b.getAttribute('data-urgent'))).toEqual(['false', 'true']);
    expect(badges[0]).toHaveAttribute('title', 'transit-1 reaches 80 % of 10 Gb/s in about 3 days 4 hours');
    // Each badge sits on its own series' tile; the link that stays under its threshold has none.
    const tiles = screen.getAllByTestId('trafficlens-tile');
    const byName = (name: string) => tiles.find((t) => t.getAttribute('aria-label')?.startsWith(`${name}:`))!;
    expect(byName('transit-1')).toContainElement(badges[0]);
    expect(byName('transit-2')).toContainElement(badges[1]);
    expect(byName('ix').querySelector('[data-testid="trafficlens-tile-fills"]')).toBeNull();
  });
});
