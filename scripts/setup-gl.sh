#!/usr/bin/env bash
# Builds the real headless-gl into .gl/ so that gpu.js can use its GLSL backend (the `gl` dependency is
# replaced by vendor/gl-optional, which loads .gl/node_modules/gl when present). About 5 minutes.
# Then run the GLSL tests under a virtual display on a machine without one:
#   xvfb-run -a npx vitest run test/unit/miner/backends/gpujs
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends \
    build-essential python3 pkg-config \
    libxi-dev libxext-dev libx11-dev libglu1-mesa-dev libglew-dev mesa-common-dev libgl1-mesa-dri \
    xvfb xauth
else
  echo "setup-gl: no apt-get; install the X11/GL development headers and Xvfb yourself" >&2
fi
mkdir -p .gl
npm install --prefix .gl --no-save --no-package-lock gl@8.1.6
echo "headless gl installed in .gl/node_modules/gl"
if command -v xvfb-run >/dev/null; then
  xvfb-run -a npx tsx -e "import('./miner/backends/gpujs/backend.ts').then(m => console.log(m.gpujsStatus()))"
fi
