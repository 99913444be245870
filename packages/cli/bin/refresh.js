#!/usr/bin/env node
// The `refresh` command. This file is committed, not built: npm links a package's bin only when
// its file exists at install time, so pointing the bin at dist/ left `npx refresh` missing after
// `npm ci` in a fresh clone (dist/ is made later, by the build).
import('../dist/main.js');
