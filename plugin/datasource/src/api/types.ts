/**
 * Names for the scorer's API shapes. Everything here comes from the generated `scorer.gen.ts`
 * (docs/api/openapi.json), so the plugin and the service share one definition.
 */
import type { components } from './scorer.gen';

type Schemas = components['schemas'];

export type HealthResponse = Schemas['HealthResponse'];
export type DetectorsResponse = Schemas['DetectorsResponse'];
export type DetectorInfo = Schemas['DetectorInfo'];
export type JobsListResponse = Schemas['JobsListResponse'];
export type JobStatus = Schemas['JobStatus'];
export type JobSeriesResponse = Schemas['JobSeriesResponse'];
export type ScoreRequest = Schemas['ScoreRequest'];
export type ScoreResponse = Schemas['ScoreResponse'];
export type QueryRequest = Schemas['QueryRequest'];
export type QueryResponse = Schemas['QueryResponse'];
export type ErrorResponse = Schemas['ErrorResponse'];
export type Episode = Schemas['Episode'];
export type WindowInput = Schemas['WindowInput'];
export type WindowResponse = Schemas['WindowResponse'];
export type FeedbackInput = Schemas['FeedbackInput'];
export type FeedbackResponse = Schemas['FeedbackResponse'];
export type SensitivitySettingInput = Schemas['SensitivitySettingInput'];
export type JobSensitivityResponse = Schemas['JobSensitivityResponse'];
export type SeriesSensitivityResponse = Schemas['SeriesSensitivityResponse'];
export type PreviewRequest = Schemas['PreviewRequest'];
export type PreviewResponse = Schemas['PreviewResponse'];
export type JobIncidentsResponse = Schemas['JobIncidentsResponse'];
export type Incident = Schemas['Incident'];
export type IncidentMember = Incident['members'][number];
export type ForecastRequest = Schemas['ForecastRequest'];
export type ForecastResponse = Schemas['ForecastResponse'];
export type SeriesForecast = Schemas['SeriesForecast'];

/**
 * What the transforms need from a scored series. A continuous job's series (`JobSeries`) and a batch
 * result (`SeriesScore`) both have these fields; the batch result has more (model, cleaning report).
 */
export type ScoredSeries = Pick<
  Schemas['SeriesScore'],
  | 'labels'
  | 'unit'
  | 'state'
  | 'detector'
  | 'timestamps'
  | 'values'
  | 'score'
  | 'expected'
  | 'lower'
  | 'upper'
  | 'anomaly'
  | 'direction'
  | 'episodes'
> &
  /** A job's series: the maintenance windows over its points (the panel shades them). */
  Pick<Schemas['JobSeries'], 'maintenance' | 'sensitivity'>;
