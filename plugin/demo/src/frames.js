/**
 * Scored series (GET /api/v1/jobs/:name/series) → the frames the TrafficLens datasource gives a panel in
 * Grafana: the datasource's own code, bundled into the page, so the demo shows what a dashboard shows.
 */
import { seriesToFrame } from '../../datasource/src/response/frames';
import { uniqueNames } from '../../datasource/src/response/legend';

/** A short display name (`ams transit-1 in interface bytes per second`): what a dashboard's legend format gives. */
export function seriesName(labels) {
  return [
    labels.site,
    labels.link ?? labels.service ?? labels.route ?? labels.instance,
    labels.direction,
    (labels.metric ?? labels.__name__ ?? '').replace(/_/g, ' '),
  ]
    .filter(Boolean)
    .join(' ');
}

export function toFrames(series) {
  const names = uniqueNames(series.map((s) => seriesName(s.labels)));
  return series.map((s, i) => seriesToFrame(s, names[i], { refId: 'A' }));
}

/** The whole span of the series, as the panel's time range. */
export function spanOf(series) {
  let from = Infinity;
  let to = -Infinity;
  for (const s of series) {
    if (s.timestamps.length === 0) continue;
    from = Math.min(from, s.timestamps[0]);
    to = Math.max(to, s.timestamps[s.timestamps.length - 1]);
  }
  return Number.isFinite(from)
    ? { from, to: Math.max(to, from + 1) }
    : { from: Date.now() - 3_600_000, to: Date.now() };
}

/** The series worth showing first in overlay mode: the most recent anomaly episodes first. */
export function interesting(series, count) {
  const lastEpisode = (s) => (s.episodes.length ? s.episodes[s.episodes.length - 1].end : -Infinity);
  return series
    .map((s, i) => ({ i, t: lastEpisode(s) }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .slice(0, count)
    .map((x) => x.i)
    .sort((a, b) => a - b);
}
