/**
 * A frame Grafana reads as region annotations through its standard field mapping, whose first six
 * fields are REGION_FIELDS; the fields after them make the same frame a table. Shared by the episodes'
 * and the incidents' frames. Pure: no requests, no Grafana runtime.
 */
import { createDataFrame, FieldType, type DataFrame, type FieldDTO } from '@grafana/data';

export const REGION_FIELDS = ['time', 'timeEnd', 'title', 'text', 'tags', 'color'] as const;

/** What one row shows as a region. */
export interface Region {
  time: number;
  timeEnd: number;
  title: string;
  text: string;
  tags: string[];
  color: string;
}

export interface RegionFrameOptions {
  refId: string;
  name: string;
  executedQueryString?: string;
}

/** `rows` (in the order given) as regions, then the table's own fields. */
export function regionFrame<R>(
  options: RegionFrameOptions,
  rows: readonly R[],
  region: (row: R) => Region,
  table: FieldDTO[],
): DataFrame {
  const regions = rows.map(region);
  const types = { time: FieldType.time, timeEnd: FieldType.time, tags: FieldType.other };
  return createDataFrame({
    refId: options.refId,
    name: options.name,
    meta: {
      preferredVisualisationType: 'table',
      ...(options.executedQueryString ? { executedQueryString: options.executedQueryString } : {}),
    },
    fields: [
      ...REGION_FIELDS.map((name) => ({
        name,
        type: name in types ? types[name as keyof typeof types] : FieldType.string,
        values: regions.map((r) => r[name]),
      })),
      ...table,
    ],
  });
}
