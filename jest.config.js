/**
 * `npm test`: one jest run over every workspace, unit tests beside the code, integration tests
 * in test/ and the system tests in tests/system, everything that needs only Node and Redis. The suites that need other programs run
 * through their own commands (README, "Test"): test:deploy (Prometheus), test:faults, test:cluster.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/tests'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts', '**/tests/system/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.deploy\\.test\\.ts$'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/scripts/jest-global-setup.cjs',
  testTimeout: 60000,
  maxWorkers: 2,
};
