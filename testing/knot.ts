import { findKnotd } from "../sandbox/dns/knot";

/**
 * Whether a test that needs Knot DNS can run: knotd present → yes; missing → the test is skipped
 * on a developer's machine, but in CI (`CI` set, where .ci/run installs Debian's knot) the suite
 * fails instead — a missing install step must not turn into silently skipped checks.
 */
export function knotAvailable(find: () => string | undefined = findKnotd, env: NodeJS.ProcessEnv = process.env): boolean {
  if (find()) return true;
  if (env.CI) throw new Error("knotd is not installed but CI is set: scripts/install-system-deps.sh must install Debian's knot before the tests run");
  return false;
}
