// CommonJS, as the scaffold's .config/jest.config.js.
// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // Editor tests type into Grafana's inputs, one re-render per key: on a loaded 2-core CI machine a
  // 21-character URL outlasted jest's default 5 s, and the unfinished typing spilled into the next test.
  testTimeout: 30_000,
  transform: {
    ...base.transform,
    // d3-color 3.1.1 (through @grafana/data) ships only .mjs files.
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
};
