#!/usr/bin/env bash
# The example project (examples/counter-applet) against the packed tarball, as a user installs it:
# npm pack (the build npm ci made), install the tarball into the example, typecheck and run its
# tests (its own applet through cardforge/testing: withCard, tearSweep, fuzz). Prints vitest's
# summary; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
rm -f .tmp/cardforge.tgz .tmp/cardforge-*.tgz
npm pack --ignore-scripts --pack-destination .tmp --silent >/dev/null
mv .tmp/cardforge-*.tgz .tmp/cardforge.tgz
cd examples/counter-applet
npm install --no-audit --no-fund --ignore-scripts --loglevel=error
npm run -s typecheck
npx vitest run
