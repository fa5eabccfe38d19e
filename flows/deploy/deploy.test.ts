import { formatPlan, planCounts } from "../../lib/plan-summary";
import { readAwsProfiles } from "../../lib/aws-config";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

describe("plan summary and the destructive-change guard", () => {
  it("counts adds / changes / destroys and names a replaced zone or destroyed key secret", () => {
    const c = planCounts({
      resource_changes: [
        { address: "aws_route53_zone.partition_zone", type: "aws_route53_zone", change: { actions: ["delete", "create"] } },
        { address: "aws_secretsmanager_secret.EmailEncryptionKey", type: "aws_secretsmanager_secret", change: { actions: ["delete"] } },
        { address: "aws_route53_record.dkim", type: "aws_route53_record", change: { actions: ["delete"] } },
        { address: "aws_iam_role.dns", type: "aws_iam_role", change: { actions: ["update"] } },
        { address: "aws_route53_record.spf", type: "aws_route53_record", change: { actions: ["create"] } },
      ],
    });
    expect(c).toEqual({
      add: 2,
      change: 1,
      destroy: 3,
      import: 0,
      destructive: ["aws_route53_zone.partition_zone (replace)", "aws_secretsmanager_secret.EmailEncryptionKey (destroy)"],
    });
    expect(formatPlan(c)).toBe("2 to add, 1 to change, 3 to destroy");
  });
});

describe("AWS config profiles", () => {
  it("reads [profile X] and [default] sections, not sso-session ones", () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "awscfg-")), "config");
    fs.writeFileSync(f, "[default]\nregion = us-east-1\n\n[profile Admin-Alpha1]\nregion = us-east-2 # comment\n[sso-session arda]\nsso_region = us-east-1\n");
    const p = readAwsProfiles(f);
    expect([...p.keys()]).toEqual(["default", "Admin-Alpha1"]);
    expect(p.get("Admin-Alpha1")!.settings.region).toBe("us-east-2");
    expect(readAwsProfiles(path.join(path.dirname(f), "missing")).size).toBe(0);
  });
});
