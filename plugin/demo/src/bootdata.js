/* global window, __GRAFANA_VERSION__ -- runs in the page; build.mjs defines the version */
/**
 * Grafana's index.html states its version in grafanaBootData, which @grafana/runtime's config reads when
 * it loads: the page says the version of the @grafana/runtime this externals bundle was built from
 * (12.4 or 13.2), so config.buildInfo.version is true on either. externals.js imports this first.
 */
window.grafanaBootData.settings.buildInfo.version = __GRAFANA_VERSION__;
