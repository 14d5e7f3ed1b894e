import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import type { TrafficLensOptions, TrafficLensQuery, TrafficLensSecureOptions } from './types';

export const plugin = new DataSourcePlugin<
  DataSource,
  TrafficLensQuery,
  TrafficLensOptions,
  TrafficLensSecureOptions
>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
