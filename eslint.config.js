import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      'test/artifacts/**',
      // Grafana plugins: the scaffold's own config (managed by `npx @grafana/create-plugin update`)
      'plugin/*/.config/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The plugins' jest.config.js are CommonJS, like their scaffold's .config/jest.config.js: require()
    // is how they load it. (Their own lint, the scaffold's config, has no such rule.)
    files: ['plugin/*/jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
