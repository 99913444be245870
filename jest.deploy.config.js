/**
 * `npm run test:deploy`: the suites that run the deploy files against real third-party programs
 * (Prometheus today). scripts/test-deploy.mjs makes sure the programs are there first.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['**/test/**/*.deploy.test.ts', '**/tests/system/**/*.deploy.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
