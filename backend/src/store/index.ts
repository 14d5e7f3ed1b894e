/** The durable store of what operators tell the scorer: SQLite, migrated at open (store.ts). */
export { Store, type StoreHealth, type StoreOptions } from './store.js';
export { StoreError, type StoreProblem } from './errors.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from './migrations.js';
export { WindowsTable, isRefusal, type Refusal, type WindowFields, type WindowRecord } from './windows.js';
export {
  activeAt,
  activeIntervals,
  cronProblem,
  nextStart,
  timingProblem,
  type Interval,
  type WindowTiming,
} from './schedule.js';
export {
  FeedbackTable,
  isFeedbackRefusal,
  type FeedbackFields,
  type FeedbackQuery,
  type FeedbackRecord,
  type FeedbackRefusal,
  type FeedbackVerdict,
  type ToleranceRecord,
} from './feedback.js';
export { SensitivitySettingsTable, type SensitivitySetting, type SettingFields } from './settings.js';
