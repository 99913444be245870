/**
 * The second run, on Redis Cluster (`npm run test:cluster`): the integration suites that talk to
 * Redis. Unit tests beside the code touch no Redis and ran already.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/packages/store', '<rootDir>/services/ingest-api', '<rootDir>/services/refresh-worker', '<rootDir>/tests/system'],
  testMatch: ['**/test/**/*.test.ts', '**/tests/system/**/*.test.ts'],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    // four worker processes must spend a day's budget in the 15 wall-clock seconds before a
    // shifted midnight; on a shared 2-core machine, process start-up alone can eat most of that,
    // so it would fail for time, not for the cluster. What it guards (exact spending under racing
    // replicas) is Lua atomicity on the tenant's node, which the cluster does not change
    // (claim-batch and pipeline tests check budget spending on the cluster).
    '/services/refresh-worker/test/budget-race\\.test\\.ts$',
    // cuts Redis away by relaying one standalone server through a proxy it closes; a cluster has
    // several nodes and its clients learn their addresses from it, so the relay would not cut them
    '/tests/system/shutdown-redis-down\\.test\\.ts$',
  ],
};
