/* global window -- runs in the page */
/**
 * The shared modules Grafana hands to plugins (SystemJS in Grafana, an AMD `define` shim here), bundled
 * once for the browser from the same npm packages and versions the plugins are built against.
 * CommonJS packages are given as their module object, as Grafana does; ESM packages as namespaces.
 */
// First: before @grafana/runtime reads grafanaBootData (see bootdata.js) and @grafana/ui initialises
// i18next (see i18n.js).
import './bootdata.js';
import './i18n.js';
import React from 'react';
import ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as data from '@grafana/data';
import * as ui from '@grafana/ui';
import * as runtime from '@grafana/runtime';
import * as rxjs from 'rxjs';
import lodash from 'lodash';
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
// Grafana's own stylesheet carries uPlot's; @grafana/ui's charts need it for their layout.
import 'uplot/dist/uPlot.min.css';

window.__grafanaExternals = {
  react: React,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  'react/jsx-runtime': jsxRuntime,
  '@grafana/data': data,
  '@grafana/ui': ui,
  '@grafana/runtime': runtime,
  rxjs,
  lodash,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
};
