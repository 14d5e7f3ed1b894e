import { PanelPlugin } from '@grafana/data';
import { AnomalyPanel } from './components/AnomalyPanel';
import { addPanelOptions } from './options';
import type { PanelOptions } from './types';

export const plugin = new PanelPlugin<PanelOptions>(AnomalyPanel).setPanelOptions(addPanelOptions);
