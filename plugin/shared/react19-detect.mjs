#!/usr/bin/env node
/**
 * React 19 compatibility check of a built Grafana plugin, run from the plugin's folder after its build
 * (`npm run check:react19`, part of its `npm run lint`). Grafana 13 runs plugins on React 19 and
 * Grafana 12 on React 18: one bundle has to work on both.
 *
 * It stands in for `npx @grafana/react-detect`, which Grafana's migration guide asks for but which the
 * npm registry reachable here does not hold (GET @grafana/react-detect answers 404), and checks the same
 * kinds of thing, in its own way:
 * 1. the bundle takes React from Grafana: dist/module.js is an AMD module with `react` among its
 *    dependencies, and none of the sources it was built from (module.js.map) is React, ReactDOM,
 *    scheduler or a JSX runtime; nor does it hold React 18's internals or element tag (React 19
 *    renders no element made by a bundled React 18 JSX runtime);
 * 2. no source the bundle was built from (ours and the packages bundled with it, from the source
 *    map's sourcesContent) nor any file of src/ (tests included) uses an API React 19 removed.
 * Exit code 1 with each finding (file:line, what, the fix), 0 when there is none.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** APIs React 19 removed (https://react.dev/blog/2024/04/25/react-19-upgrade-guide), as source patterns. */
export const RULES = [
  {
    id: 'ReactDOM.render',
    re: /\bReactDOM\.(render|hydrate|unmountComponentAtNode)\s*\(|import\s*\{[^}]*\b(render|hydrate|unmountComponentAtNode)\b[^}]*\}\s*from\s*['"]react-dom['"]/,
    fix: "removed: use createRoot / hydrateRoot from 'react-dom/client' and root.unmount()",
  },
  {
    id: 'findDOMNode',
    re: /\bfindDOMNode\b/,
    fix: 'removed: hold the DOM node in a ref',
  },
  {
    id: 'createFactory',
    re: /\bcreateFactory\b/,
    fix: 'removed: use JSX or React.createElement',
  },
  {
    id: 'legacy context',
    re: /\b(contextTypes|childContextTypes|getChildContext)\b/,
    fix: 'removed: use React.createContext and static contextType / useContext',
  },
  {
    id: 'string ref',
    re: /\bref=["']|\bref:\s*["']|\bthis\.refs\b/,
    fix: 'removed: use useRef / createRef or a callback ref',
  },
  {
    id: 'defaultProps',
    re: /\.defaultProps\s*=/,
    fix: 'ignored on function components: use default values in the destructured props',
  },
  {
    id: 'propTypes',
    re: /\.propTypes\s*=/,
    fix: 'no longer checked: describe the props with TypeScript',
  },
  {
    id: 'react-dom/test-utils',
    re: /['"]react-dom\/test-utils['"]|['"]react-test-renderer\/shallow['"]/,
    fix: "removed: import act from 'react' and render with @testing-library/react",
  },
  {
    id: 'React internals',
    re: /__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED/,
    fix: 'renamed in React 19: a package that reaches into React 18 internals breaks; update or drop it',
  },
  {
    id: 'useRef without argument',
    re: /\buseRef(<[^>()]*>)?\(\s*\)/,
    fix: "React 19's types require useRef's initial value: useRef<T>(null) or useRef<T | undefined>(undefined)",
  },
];

/** The bundle must not carry its own React: Grafana shares one instance with every plugin. */
const BUNDLED_REACT = /node_modules\/(react|react-dom|scheduler)\/|react\/jsx(-dev)?-runtime/;
/** React 18's element tag and internals in the bundle mean a React 18 runtime (or JSX runtime) is inside. */
const REACT18_IN_BUNDLE = [
  /Symbol\.for\(\s*["']react\.element["']\s*\)/,
  /__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED/,
];

const COMMENT = /^\s*(\/\/|\/\*|\*)/;

/** Findings of RULES in one source text: [{ line, rule, text }]. Comment lines are skipped. */
export function scanSource(text) {
  const found = [];
  text.split('\n').forEach((line, i) => {
    if (COMMENT.test(line)) return;
    for (const rule of RULES) {
      if (rule.re.test(line)) found.push({ line: i + 1, rule, text: line.trim().slice(0, 160) });
    }
  });
  return found;
}

/** Findings about how the built bundle gets React: [{ where, what }]. */
export function scanBundle(code, map) {
  const found = [];
  const define = /\bdefine\(\s*(\[[^\]]*\])/.exec(code);
  if (!define) {
    found.push({ where: 'module.js', what: 'not an AMD module (no define([...]))' });
  } else if (!JSON.parse(define[1]).includes('react')) {
    found.push({ where: 'module.js', what: "define() does not list 'react': Grafana's React is not used" });
  }
  for (const source of map.sources) {
    if (BUNDLED_REACT.test(source)) found.push({ where: source, what: 'React bundled into the plugin' });
  }
  for (const re of REACT18_IN_BUNDLE) {
    if (re.test(code))
      found.push({ where: 'module.js', what: `holds ${re.source}: a bundled React 18 runtime` });
  }
  return found;
}

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (/\.(m?[jt]sx?)$/.test(entry.name)) yield path;
  }
}

/** Runs both checks on the plugin in `dir`; returns the report's lines and whether it passed. */
export function detect(dir) {
  const bundle = join(dir, 'dist', 'module.js');
  if (!existsSync(bundle) || !existsSync(`${bundle}.map`)) {
    return { ok: false, lines: [`${bundle}(.map) is missing: build the plugin first (npm run build)`] };
  }
  const code = readFileSync(bundle, 'utf8');
  const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8'));
  const lines = scanBundle(code, map).map((f) => `dist/module.js: ${f.where}: ${f.what}`);
  const sources = map.sources.map((name, i) => [name, map.sourcesContent?.[i]]);
  const missing = sources.filter(([, text]) => typeof text !== 'string').map(([name]) => name);
  if (missing.length > 0) lines.push(`dist/module.js.map has no sourcesContent for ${missing.join(', ')}`);
  const own = [...files(join(dir, 'src'))].map((path) => [relative(dir, path), readFileSync(path, 'utf8')]);
  for (const [name, text] of [...sources, ...own]) {
    if (typeof text !== 'string') continue;
    for (const f of scanSource(text))
      lines.push(`${name}:${f.line}: ${f.rule.id}: ${f.text}\n  fix: ${f.rule.fix}`);
  }
  const ok = lines.length === 0;
  if (ok) {
    lines.push(
      `React 19: no incompatibility in dist/module.js (${sources.length} bundled sources) nor in src/ (${own.length} files)`,
    );
  }
  return { ok, lines };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ok, lines } = detect(process.cwd());
  (ok ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
  process.exitCode = ok ? 0 : 1;
}
