/** Panel option editors for scoring plain series: the TrafficLens datasource and its detector. */
import React, { useEffect, useState } from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { DataSourcePicker, getDataSourceSrv } from '@grafana/runtime';
import type { DataSourceRef } from '@grafana/schema';
import { Combobox, type ComboboxOption } from '@grafana/ui';
import { TRAFFICLENS_DATASOURCE_ID, type PanelOptions } from '../types';

/** Only TrafficLens datasources are offered; clearing it draws plain series unscored again. */
export function ScoreWithEditor({ value, onChange }: StandardEditorProps<DataSourceRef | null | undefined>) {
  return (
    <DataSourcePicker
      pluginId={TRAFFICLENS_DATASOURCE_ID}
      current={value?.uid ? value : null}
      noDefault
      placeholder="Not scored"
      onChange={(ds) => onChange({ uid: ds.uid, type: ds.type })}
      onClear={() => onChange(null)}
    />
  );
}

interface DetectorLike {
  name: string;
  description?: string;
  default?: boolean;
}

/** The detectors the chosen datasource's scorer offers; empty: the datasource's default detector. */
export function DetectorEditor({
  value,
  onChange,
  context,
}: StandardEditorProps<string | undefined, unknown, PanelOptions>) {
  const uid = context.options?.scoreWith?.uid;
  // The list is kept with the uid it was fetched for, so another (or no) datasource shows an empty list
  // until its own arrives, without resetting state inside the effect.
  const [fetched, setFetched] = useState<{
    uid: string;
    options: Array<ComboboxOption<string>>;
    error?: string;
  }>();
  const state = uid && fetched?.uid === uid ? fetched : { options: [], error: undefined };
  useEffect(() => {
    if (!uid) {
      return;
    }
    let live = true;
    (async () => {
      const ds = (await getDataSourceSrv().get({ uid })) as { getDetectors?: () => Promise<DetectorLike[]> };
      if (typeof ds.getDetectors !== 'function') {
        throw new Error('not a TrafficLens datasource');
      }
      return ds.getDetectors();
    })().then(
      (detectors) =>
        live &&
        setFetched({
          uid,
          options: detectors.map((d) => ({
            value: d.name,
            label: d.default ? `${d.name} (default)` : d.name,
            description: d.description,
          })),
        }),
      (err: unknown) =>
        live && setFetched({ uid, options: [], error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [uid]);

  return (
    <div>
      <Combobox<string>
        id="trafficlens-detector"
        disabled={!uid}
        isClearable
        invalid={Boolean(state.error)}
        placeholder={uid ? 'datasource default' : 'choose Score with first'}
        options={state.options}
        value={value || null}
        onChange={(option) => onChange(option?.value || '')}
      />
      {state.error && <div role="alert">Detectors unavailable: {state.error}</div>}
    </div>
  );
}
