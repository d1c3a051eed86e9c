// Mutation testing of the pure domain logic against the fast unit tests (vitest.unit.config.ts).
// Reports go to .local/stryker/ (git-ignored). No TypeScript checker: tsc is TypeScript 7, which has
// no JavaScript API, so mutants that would not compile are simply run and killed by the tests.
// `npm run mutation` starts Stryker through its API rather than the `stryker` command: the command
// refuses Node.js < 22 (Stryker 10's engines), while this project runs on Node.js 20, where the run
// itself works. On Node.js 22 or later, `npx stryker run` is the same run.
export default {
  testRunner: 'vitest',
  // Only the domain's own tests (test/unit/domain): the score says what they prove. (Stryker's
  // `testFiles` option would do the same, but then never activates static mutants.)
  vitest: { configFile: 'vitest.unit.config.ts', dir: 'test/unit/domain' },
  mutate: ['shared/domain/**/*.ts'],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, reportMutants: true, maxTestsToLog: 0 },
  htmlReporter: { fileName: '.local/stryker/mutation.html' },
  jsonReporter: { fileName: '.local/stryker/mutation.json' },
  thresholds: { high: 90, low: 85, break: 80 },
  tempDirName: '.local/stryker-tmp',
  cleanTempDir: 'always',
  // The sandbox needs only the sources the unit tests import, the unit tests and the configs.
  ignorePatterns: ['/.local', '/.ci', '/dist', '/bench', '/infra', '/functions', '/scripts', '/patches', '/docs', '/coverage', '/test/*', '!/test/unit'],
};
