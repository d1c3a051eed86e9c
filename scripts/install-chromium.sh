#!/usr/bin/env bash
# Installs Debian's chromium package, which the API reference test (test/api-docs.test.ts) drives through
# playwright-core (an npm dev dependency: npm ci installs it; it downloads no browser of its own).
# A no-op when chromium is there. Uses sudo when not run as root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
    echo "install-chromium: not root and no sudo: install Debian's chromium package by hand" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version
