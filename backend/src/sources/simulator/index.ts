export { TrafficSimulator } from './simulator.js';
export type { CounterReset, SimulatedSeries, SimulatorOptions } from './simulator.js';
export { SimulatorSource } from './source.js';
export { FLAP_PERIOD_MS, INCIDENT_DURATION_MS, INCIDENT_KINDS } from './incidents.js';
export type { Incident, IncidentKind } from './incidents.js';
export { LINKS, SERVICES, SIMULATOR_KINDS, SITES } from './catalog.js';
export type { SimulatorKind } from './catalog.js';
