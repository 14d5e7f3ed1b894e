import React, { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Combobox, Field, FieldSet, Input, SecretInput, type ComboboxOption } from '@grafana/ui';
import { detectorInfoNameValues } from '../api/scorer.gen';
import { SENSITIVITY_SCALE } from '../api/sensitivityScale.gen';
import {
  DEFAULT_DETECTOR,
  DEFAULT_SENSITIVITY,
  SENSITIVITY_HINT,
  sensitivityProblem,
  type TrafficLensOptions,
  type TrafficLensSecureOptions,
} from '../types';

type Props = DataSourcePluginOptionsEditorProps<TrafficLensOptions, TrafficLensSecureOptions>;

/**
 * The config page cannot ask the scorer for its detectors (Grafana's proxy only serves saved settings),
 * so it offers the ones of the API the plugin was generated from, and accepts any other name.
 */
const detectorOptions: Array<ComboboxOption<string>> = detectorInfoNameValues.map((name) => ({
  value: name,
  label: name,
  description: name === 'auto' ? 'ensemble; the scorer’s default' : undefined,
}));

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;

  const setJsonData = (patch: Partial<TrafficLensOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });

  const onTokenChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, apiToken: event.target.value } });

  const onTokenReset = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, apiToken: false },
      secureJsonData: { ...secureJsonData, apiToken: '' },
    });

  const onSensitivityChange = (event: ChangeEvent<HTMLInputElement>) => {
    const text = event.target.value.trim();
    setJsonData({ defaultSensitivity: text === '' ? undefined : Number(text) });
  };

  const sensitivityError = sensitivityProblem(jsonData.defaultSensitivity);
  const urlError =
    jsonData.scorerUrl && !/^https?:\/\/[^\s/]+/.test(jsonData.scorerUrl)
      ? 'expected http(s)://host:port'
      : undefined;

  return (
    <>
      <FieldSet label="Scorer">
        <Field
          label="Scorer URL"
          description="The TrafficLens scorer as the Grafana server reaches it; requests go through Grafana's data proxy."
          required
          invalid={Boolean(urlError)}
          error={urlError}
        >
          <Input
            id="config-editor-scorer-url"
            value={jsonData.scorerUrl ?? ''}
            placeholder="http://localhost:8686"
            width={50}
            onChange={(e: ChangeEvent<HTMLInputElement>) => setJsonData({ scorerUrl: e.target.value })}
          />
        </Field>
        <Field
          label="API token"
          description="The scorer's TRAFFICLENS_API_TOKEN, if it has one. Stored encrypted; only Grafana's server sends it."
        >
          <SecretInput
            id="config-editor-api-token"
            isConfigured={Boolean(secureJsonFields?.apiToken)}
            value={secureJsonData?.apiToken ?? ''}
            placeholder="token (16+ characters)"
            width={50}
            onReset={onTokenReset}
            onChange={onTokenChange}
          />
        </Field>
      </FieldSet>
      <FieldSet label="Scoring defaults">
        <Field
          label="Default detector"
          description="Used when a query rescores a job's data and names no detector."
        >
          <Combobox<string>
            id="config-editor-detector"
            options={detectorOptions}
            value={jsonData.defaultDetector ?? DEFAULT_DETECTOR}
            createCustomValue
            width={30}
            onChange={(option) => setJsonData({ defaultDetector: option.value })}
          />
        </Field>
        <Field
          label="Default sensitivity"
          description={`${SENSITIVITY_HINT}.`}
          invalid={Boolean(sensitivityError)}
          error={sensitivityError}
        >
          <Input
            id="config-editor-sensitivity"
            type="number"
            min={SENSITIVITY_SCALE.min}
            max={SENSITIVITY_SCALE.max}
            step={1}
            width={12}
            value={jsonData.defaultSensitivity ?? ''}
            placeholder={String(DEFAULT_SENSITIVITY)}
            onChange={onSensitivityChange}
          />
        </Field>
      </FieldSet>
    </>
  );
}
