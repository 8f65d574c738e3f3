#!/usr/bin/env bash
# The whole test suite, from a fresh clone: Debian packages when missing, npm packages (npm ci),
# build, typecheck, lint, then every vitest suite (unit, property, CLI and PC/SC integration).
# With CI=true the PC/SC integration tests are mandatory (they fail when the stack is missing).
# Ends with one summary line "Tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "== npm ci"
npm ci --no-audit --no-fund
echo "== typecheck"
npm run --silent typecheck
echo "== lint"
npm run --silent lint
echo "== example project (the packed tarball installed into examples/counter-applet)"
bash scripts/example-check.sh
echo "== bench smoke (npm run bench -- --quick: every row's correctness check runs; a failed check exits non-zero)"
npm run --silent bench -- --quick
echo "== tests"
mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-report.json "$@" || status=$?
node scripts/summarize-tests.mjs .tmp/vitest-report.json || status=1
exit $status
