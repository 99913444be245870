/** The fault-injection suite alone (`npm run test:faults`): minutes long, so not part of `npm test`. */
module.exports = {
  globalSetup: '<rootDir>/scripts/jest-global-setup.cjs',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/system/faults'],
  testMatch: ['**/*.faults.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 600000,
  maxWorkers: 1,
};
