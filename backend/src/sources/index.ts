export { FakeSource } from './fake.js';
export { matches, parseMatcher, seriesKey } from './source.js';
export * from './prometheus/index.js';
export type { FetchRequest, LabelMatcher, Labels, MatchOp, Source, SourceSeries } from './source.js';
export * from './simulator/index.js';
