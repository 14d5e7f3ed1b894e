/** Series names, the way Grafana's Prometheus datasource names them. */

export type Labels = Record<string, string>;

const NAME_LABELS = ['__name__', 'metric'];

/** `name{a="1", b="2"}`, taking the name from `__name__` or `metric` when there is one. */
export function defaultSeriesName(labels: Labels): string {
  const nameLabel = NAME_LABELS.find((l) => labels[l] !== undefined);
  const rest = Object.entries(labels)
    .filter(([k]) => k !== nameLabel)
    .map(([k, v]) => `${k}="${v}"`);
  const name = nameLabel ? labels[nameLabel] : '';
  if (rest.length === 0) {
    return name || '{}';
  }
  return `${name}{${rest.join(', ')}}`;
}

/** Replaces `{{label}}` with the label's value (empty when missing); an empty format gives the default name. */
export function formatLegend(format: string | undefined, labels: Labels): string {
  if (!format || format.trim() === '') {
    return defaultSeriesName(labels);
  }
  return format.replace(/\{\{\s*([^\s{}]+)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
}

/**
 * Makes every name unique by appending " (2)", " (3)"…: the band's `fillBelowTo` refers to a field by its
 * display name, so two series with the same legend would otherwise fill towards each other's bounds.
 */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
}
