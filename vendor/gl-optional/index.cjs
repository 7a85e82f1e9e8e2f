'use strict';
// gpu.js does `require('gl')` and treats a throw as "no headless GL".
// The real headless-gl is built on demand by `npm run setup:gl` into .gl/.
const path = require('node:path');
const real = path.join(__dirname, '..', '..', '.gl', 'node_modules', 'gl');
let gl;
try {
  gl = require(real);
} catch (cause) {
  const err = new Error('headless gl is not installed; run `npm run setup:gl` to build it');
  err.code = 'MODULE_NOT_FOUND';
  err.cause = cause;
  throw err;
}
module.exports = gl;
