/** Three projects: unit specs beside the code (and docs/docs.spec.ts beside the docs), the transport conformance suite, and black-box e2e. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const moduleNameMapper = {
  '^@app/(contracts|transport|messaging|storage|resilience|auth|discovery|observability|testing)$': '<rootDir>/libs/$1/src',
  '^@app/(contracts|transport|messaging|storage|resilience|auth|discovery|observability|testing)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const common = { rootDir: __dirname, transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node' };

module.exports = {
  maxWorkers: 2,
  /** A global option in Jest (not per project): long enough for broker restarts and app start-up. */
  testTimeout: 90_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,deploy,bench,docs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'conformance',
      testMatch: ['<rootDir>/libs/testing/**/*.conformance-spec.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
