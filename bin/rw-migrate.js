#!/usr/bin/env node
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS launcher */
// The CLI is bundled to dist/cli.js by `npm run build`; this file only finds it.
const path = require('node:path');
const fs = require('node:fs');

const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`rw-migrate: ${bundle} is missing: run npm run build\n`);
  process.exit(1);
}
// dist/cli.js is not the main module when required from here, so start it explicitly.
require(bundle)
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`rw-migrate: ${err && err.message ? err.message : err}\n`);
      process.exitCode = 1;
    },
  );
