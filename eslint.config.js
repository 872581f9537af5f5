// Lint: typescript-eslint with type information (no-floating-promises above all), plus the layer rule of
// docs/ARCHITECTURE.md: each src/ folder may import only the folders below it, and other folders only via index.ts.
import tseslint from 'typescript-eslint';

const layers = {
  internal: [],
  errors: ['internal'],
  protocol: ['internal', 'errors'],
  codecs: ['internal', 'errors'],
  connection: ['protocol', 'codecs', 'internal', 'errors'],
  client: ['connection', 'codecs', 'internal', 'errors', 'protocol'],
  pool: ['client', 'internal', 'errors'],
};
const all = Object.keys(layers);

const layerRules = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        ...all.filter((l) => l !== layer && !allowed.includes(l)).map((l) => ({
          group: [`**/${l}/*`, `**/${l}`, `../${l}/**`],
          message: `src/${layer} may not import src/${l} (docs/ARCHITECTURE.md layer table)`,
        })),
        {
          group: allowed.flatMap((l) => [`../${l}/*`, `../../${l}/*`, `!../${l}/index.js`, `!../../${l}/index.js`]),
          message: 'import other layers through their index.ts',
        },
      ].filter((p) => p.group.length > 0),
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'packages/*/*.d.ts', 'packages/*/*.d.mts', 'coverage/**', '.tmp/**', '**/*.generated.ts', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  ...layerRules,
  {
    // The pg face sits above pool/ and speaks only the public API (plus the integrations' shared SQL scanner).
    files: ['src/faces/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*', '!../../index.js', '!../../integrations'], message: 'faces use only the public API (src/index.ts)' }, { group: ['../../integrations/*', '!../../integrations/shared'], message: 'faces may share only integrations/shared' }] }],
    },
  },
  {
    files: ['src/integrations/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*', '!../../index.js'], message: 'integrations use only the public API (src/index.ts)' }] }],
    },
  },
);
