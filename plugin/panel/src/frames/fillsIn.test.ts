import { forecastFrame, trafficLensFrame } from '../testing/frames';
import { fillsInBadge, shortDuration } from './fillsIn';
import { parseFrames } from './parse';

const withThreshold = (threshold: Record<string, unknown> | undefined) => {
  const forecast = forecastFrame('x');
  forecast.meta = { custom: { forecast: { state: 'ok', ...(threshold ? { threshold } : {}) } } };
  return parseFrames([trafficLensFrame('x'), forecast]).series[0];
};

describe('the "fills in" badge', () => {
  it('says when the median reaches the threshold, urgent under a day, with the sentence as its title', () => {
    const sentence = 'x reaches 80 % of 10 Gb/s in about 3 days 4 hours';
    expect(fillsInBadge(withThreshold({ fraction: 0.8, medianSeconds: 274_000, sentence }))).toEqual({
      text: '80 % in 3d 4h',
      title: sentence,
      urgent: false,
    });
    expect(
      fillsInBadge(withThreshold({ fraction: 0.75, medianSeconds: 19_200, sentence: '' })),
    ).toMatchObject({
      text: '75 % in 5h 20m',
      urgent: true,
    });
    expect(fillsInBadge(withThreshold({ fraction: 0.8, medianSeconds: 0, sentence: '' }))?.text).toBe(
      '80 % now',
    );
  });

  it('has none without a capacity, when the median stays under the threshold, or without a forecast', () => {
    expect(fillsInBadge(withThreshold(undefined))).toBeNull();
    expect(
      fillsInBadge(withThreshold({ fraction: 0.8, medianSeconds: null, sentence: 'stays under' })),
    ).toBeNull();
    expect(fillsInBadge(parseFrames([trafficLensFrame('x')]).series[0])).toBeNull();
  });

  it('shortens durations to their two largest units', () => {
    expect(shortDuration(45 * 60)).toBe('45m');
    expect(shortDuration(3 * 86_400 + 60)).toBe('3d');
    expect(shortDuration(10)).toBe('1m');
  });
});
