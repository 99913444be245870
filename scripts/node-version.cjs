// The one Node LTS this project runs on is package.json's "engines" range (npm's engine-strict
// enforces it at install). This check enforces it where code actually runs: jest's global set-up
// and `npm start` call it, so a test run or a service on another Node stops with a clear message
// instead of passing on a runtime the images and CI do not ship.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const semver = require('semver');

function requiredNode() {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  return pkg.engines.node;
}

/** Prints the runtime's version and throws when it is outside the engines range. */
function assertNodeVersion(what) {
  const range = requiredNode();
  console.log(`${what} on Node ${process.version} (${process.execPath}); the project requires ${range}`);
  if (!semver.satisfies(process.version, range)) {
    throw new Error(
      `Node ${process.version} is outside package.json engines (${range}). ` +
        'README.md, "Quick start", says how to put Node 26 first on PATH.',
    );
  }
}

module.exports = { assertNodeVersion, requiredNode };
