/**
 * The React 19 check (react19-detect.mjs) finds each removed API and a bundled React, and passes code
 * that only uses what React 18 and 19 share: a check that found nothing would otherwise look the same
 * as a clean plugin.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanBundle, scanSource } from './react19-detect.mjs';

const ids = (text) => scanSource(text).map((f) => f.rule.id);

describe('scanSource', () => {
  it('finds each API React 19 removed', () => {
    const cases = {
      'ReactDOM.render': [
        'ReactDOM.render(<App />, el);',
        'ReactDOM.unmountComponentAtNode(el);',
        "import { render } from 'react-dom';",
      ],
      findDOMNode: ['const node = ReactDOM.findDOMNode(this);'],
      createFactory: ["const div = React.createFactory('div');"],
      'legacy context': ['static contextTypes = { theme: PropTypes.object };', 'getChildContext() {'],
      'string ref': ['<input ref="name" />', 'this.refs.name.focus();'],
      defaultProps: ['Tile.defaultProps = { size: 1 };'],
      propTypes: ['Tile.propTypes = { size: PropTypes.number };'],
      'react-dom/test-utils': ["import { act } from 'react-dom/test-utils';"],
      'React internals': ['React.__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED.ReactCurrentOwner'],
      'useRef without argument': ['const timer = useRef<number>();', 'const x = useRef();'],
    };
    for (const [id, lines] of Object.entries(cases)) {
      for (const line of lines) assert.deepEqual(ids(line), [id], line);
    }
  });

  it('passes what React 18 and 19 share, and comments', () => {
    const ok = [
      "import { createRoot } from 'react-dom/client';",
      'root.render(<App />);',
      'const canvas = useRef<HTMLCanvasElement>(null);',
      'const ThemeContext = React.createContext(theme);',
      '<input ref={inputRef} />',
      "const style = { defaultValue: 'x' };",
      '// ReactDOM.render was the React 17 way',
      ' * findDOMNode is gone',
    ];
    for (const line of ok) assert.deepEqual(ids(line), [], line);
  });

  it('reports the line', () => {
    assert.deepEqual(
      scanSource('const a = 1;\nconst b = ReactDOM.findDOMNode(c);\n').map((f) => f.line),
      [2],
    );
  });
});

describe('scanBundle', () => {
  const map = (sources) => ({ sources });
  const amd = 'define(["@grafana/data","module","react"],(e,t,n)=>{});';

  it('passes an AMD bundle that takes React from Grafana', () => {
    assert.deepEqual(
      scanBundle(amd, map(['webpack://p/./module.ts', 'webpack://p/external amd "react"'])),
      [],
    );
  });

  it('finds a bundled React, JSX runtime or React 18 element tag, and a bundle without Grafana’s React', () => {
    const whats = (code, sources) => scanBundle(code, map(sources)).map((f) => f.what);
    assert.equal(whats(amd, ['webpack://p/../node_modules/react/cjs/react.production.min.js']).length, 1);
    assert.equal(whats(amd, ['webpack://p/../node_modules/react/jsx-runtime.js']).length, 1);
    assert.equal(whats(amd, ['webpack://p/../node_modules/react-dom/index.js']).length, 1);
    assert.equal(whats(`${amd}var E=Symbol.for("react.element");`, []).length, 1);
    assert.match(whats('define(["@grafana/data"],e=>{});', [])[0], /does not list 'react'/);
    assert.match(whats('(function(){})();', [])[0], /not an AMD module/);
  });
});
