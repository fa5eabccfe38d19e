import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../platform/load";
import { runInProcess } from "../../testing/cli";
import Takeover from "./takeover";

/** The real platform (arda.platform.json): no awsProfile anywhere yet, Root's account id from the environment. */
async function onArda(args: string[]) {
  const saved = { ...process.env };
  process.env.ARDA_MAIL_PLATFORM = "arda";
  process.env.ARDA_MAIL_ROOT_ACCOUNT_ID = "111122223333";
  process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
  try {
    return await runInProcess(Takeover, args);
  } finally {
    process.env = saved;
  }
}

/** The real model with a Root profile filled in (as an operator would), from a scratch copy. */
async function onArdaWithRootProfile(args: string[]) {
  const raw = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "platform", "arda.platform.json"), "utf8"));
  raw.infrastructures[0].awsProfile = "Root-Admin";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-cli-"));
  const file = path.join(dir, "arda.platform.json");
  fs.writeFileSync(file, JSON.stringify(raw));
  const saved = process.env.ARDA_MAIL_PLATFORM_FILE;
  process.env.ARDA_MAIL_PLATFORM_FILE = file;
  try {
    return await onArda(args);
  } finally {
    if (saved === undefined) delete process.env.ARDA_MAIL_PLATFORM_FILE;
    else process.env.ARDA_MAIL_PLATFORM_FILE = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("arda-mail takeover: pre-flight", () => {
  it("--plan-only on the real platform without AWS access fails before reading anything, naming what it needs", async () => {
    const o = await onArda(["--all", "--plan-only"]);
    expect(o.code).toBe(1);
    expect(o.stderr).toContain("takeover of Root needs AWS access to Root: the model has no awsProfile for Root");
    expect(o.stderr).toContain("Next: set infrastructures.<name>.awsProfile (and accountId) in platform/arda.platform.json");
    expect(o.stderr).not.toContain("Next: Next:");
  });

  it("names a partition stack's missing Root access, then its profiles missing from the AWS config", async () => {
    const o = await onArda(["Alpha002-dev-Email", "--plan-only"]);
    expect(o.code).toBe(1);
    expect(o.stderr).toContain("takeover of Alpha002-dev-Email needs AWS access to Root: the model has no awsProfile for Root");
    const withRoot = await onArdaWithRootProfile(["Alpha002-dev-Email", "--plan-only"]);
    expect(withRoot.code).toBe(1);
    expect(withRoot.stderr).toContain("takeover of Alpha002-dev-Email needs AWS profiles Alpha002-Admin, Root-Admin, not in /nonexistent/aws-config");
    expect(withRoot.stderr).toContain("Next: log in (e.g. `aws sso login --profile <name>`)");
  });

  it("refuses an unknown stack, and a stack together with --all", async () => {
    const unknown = await onArda(["Alpha009-dev-Email", "--plan-only"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown stack "Alpha009-dev-Email" for platform arda');
    expect(unknown.stderr).toContain("Next: one of Root, Corporate, Alpha002-dev-Email, Alpha002-stage-Email, Alpha001-demo-Email, Alpha001-prod-Email, or --all.");
    const both = await onArda(["Root", "--all"]);
    expect(both.stderr).toContain("--all covers every stack: give no <stack>");
  });
});
