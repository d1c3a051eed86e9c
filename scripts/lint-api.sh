#!/usr/bin/env bash
# `npm run lint:api`: the OpenAPI and AsyncAPI documents the app serves, generated from the function
# table into .local/api/, linted by Redocly CLI with its recommended rules. Any error or warning fails.
set -uo pipefail
cd "$(dirname "$0")/.."
npx tsx scripts/api-documents.ts || exit 1
out=$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx redocly lint --format=summary .local/api/openapi.json .local/api/asyncapi.json 2>&1)
status=$?
# Redocly prints a Node.js deprecation box on Node 20; keep only what it says about the documents.
printf '%s\n' "$out" | grep -E '^(validating|\.local/|warning|error|Woohoo|You have|❌)' || true
if [ $status -ne 0 ] || printf '%s\n' "$out" | grep -Eq '^(warning|error) '; then
  echo "lint:api: Redocly reported problems (rerun: npx redocly lint .local/api/openapi.json .local/api/asyncapi.json)"
  exit 1
fi
