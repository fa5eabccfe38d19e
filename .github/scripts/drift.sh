#!/usr/bin/env bash
# Everything a scheduled drift run does after checkout, tool setup and `npm ci` — the one script
# both corporate-drift.yml and runtime-platform-drift.yml run (DQ-R1-018), and the one that
# scripts/workflows.test.ts runs locally against the sandbox:
#   1. `arda-mail drift --instance-group <group> --ci --json` (CI mode: reads only Arda-SystemsOAM,
#      DQ-R1-007) into the report file;
#   2. on drift (or a failed check), one GitHub issue per drifted asset (drift-issues.mjs, `gh`);
#   3. exit with drift's code (0 no drift, 1 drift) or 2 when the check itself could not run.
# Usage: bash .github/scripts/drift.sh <corporate|runtime-platform> [more arda-mail drift flags]
# Environment: ARDA_MAIL_PLATFORM, ARDA_MAIL_SECRETS (op in CI), OP_SERVICE_ACCOUNT_TOKEN,
# ARDA_MAIL_ROOT_ACCOUNT_ID (repository variable; required for the arda platform), GH_TOKEN,
# DRIFT_REPORT (default drift.json).
set -uo pipefail
cd "$(dirname "$0")/../.."

group="${1:-}"
case "$group" in
  corporate | runtime-platform) shift ;;
  *)
    echo "drift.sh: instance group must be corporate or runtime-platform (got \"$group\")" >&2
    exit 2
    ;;
esac
if [ "${ARDA_MAIL_PLATFORM:-}" = "arda" ] && [ -z "${ARDA_MAIL_ROOT_ACCOUNT_ID:-}" ]; then
  echo "drift.sh: ARDA_MAIL_ROOT_ACCOUNT_ID is not set. Next: add it as a repository variable (Settings → Secrets and variables → Actions → Variables); the workflow passes vars.ARDA_MAIL_ROOT_ACCOUNT_ID." >&2
  exit 2
fi

report="${DRIFT_REPORT:-drift.json}"
node bin/arda-mail drift --instance-group "$group" --ci --json "$@" >"$report"
code=$?
if [ "$code" -ne 0 ]; then
  node .github/scripts/drift-issues.mjs "$report" "$group" || exit 2
fi
exit "$code"
