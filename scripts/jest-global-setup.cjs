// Every jest run (npm test, test:cluster, test:faults, test:deploy) starts by naming its Node and
// refusing one outside the project's engines range.
const { assertNodeVersion } = require('./node-version.cjs');

module.exports = async function globalSetup() {
  assertNodeVersion('jest');
};
