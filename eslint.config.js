// ESLint (flat config): aio's own plugin (eslint-plugin/) on the examples, with type
// information. `npm run lint:examples` runs it (under tsx, which loads the plugin's TypeScript).
import aio from './eslint-plugin/src/index.ts';

export default [
  {
    files: ['examples/**/*.ts'],
    ...aio.configs.recommended,
    languageOptions: {
      ...aio.configs.recommended.languageOptions,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    // The examples keep directives for other linters a reader may use.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
];
