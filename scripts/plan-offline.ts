/**
 * `npm run plan:offline [-- --platform sandbox|arda] [--stack NAME]`: offline plans of every stack
 * (flows/plan-offline.ts) with a per-stack summary; plans → cdktf.out/plans/<stack>.json.
 * Honours ARDA_MAIL_PLATFORM and ARDA_MAIL_PLATFORM_FILE like every entry point.
 */
import { planOffline } from "../flows/plan-offline";
import { loadSelectedPlatform } from "../platform/select";
import { parseFlag } from "./args";

const argv = process.argv.slice(2);
const stack = parseFlag(argv, "stack");
Promise.resolve()
  .then(() => planOffline({ platform: loadSelectedPlatform(parseFlag(argv, "platform")).platform, stacks: stack ? [stack] : undefined, log: (l) => process.stdout.write(`${l}\n`) }))
  .then((r) => process.stderr.write(`offline plans for ${r.length} stacks written to cdktf.out/plans/\n`))
  .catch((e: Error) => {
    process.stderr.write(`plan:offline failed: ${e.message}\n`);
    process.exit(1);
  });
