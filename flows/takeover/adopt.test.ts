import { analysePlan, changedAttributes } from "./adopt";

const ROLE = "aws_iam_role.EmailDnsProvisioningRole_role_83F4D6F0";
const ZONE = "aws_route53_zone.partition_zone";
const SECRET_VALUE = "canary-secret-value-3f1c";

describe("takeover: Terraform's saved plan, read for the operator", () => {
  it("an update lists the names of the attributes that change, never their values", () => {
    const change = {
      actions: ["update"],
      before: { name: "AddNsRecordsToAnyHostedZone", assume_role_policy: '{"Statement":[]}', tags: null, description: SECRET_VALUE },
      after: { name: "AddNsRecordsToAnyHostedZone", assume_role_policy: '{"Statement":[{"Condition":{}}]}', tags: null, description: "x" },
      after_unknown: { tags_all: true },
    };
    expect(changedAttributes(change)).toEqual(["assume_role_policy", "description", "tags_all"]);
    const r = analysePlan([{ address: ROLE, type: "aws_iam_role", change }], new Set([ROLE]), []);
    expect(r).toEqual({ updates: [{ address: ROLE, attributes: ["assume_role_policy", "description", "tags_all"] }], refusals: [], created: [] });
    expect(JSON.stringify(r)).not.toContain(SECRET_VALUE);
  });

  it("refuses a replace or delete of a resource being imported, naming it; creates are listed", () => {
    const r = analysePlan(
      [
        { address: ZONE, type: "aws_route53_zone", change: { actions: ["delete", "create"], importing: { id: "Z1" } } },
        { address: ROLE, type: "aws_iam_role", change: { actions: ["delete"] } },
        { address: "aws_iam_role_policy.p", type: "aws_iam_role_policy", change: { actions: ["create"] } },
        { address: "aws_route53_record.spf", type: "aws_route53_record", change: { actions: ["no-op"], importing: { id: "Z1_x_TXT" } } },
      ],
      new Set([ZONE, ROLE, "aws_route53_record.spf"]),
      [`${ZONE} (replace)`],
    );
    expect(r.refusals).toEqual([
      `${ZONE}: Terraform would replace this live resource instead of adopting it (delete+create) — a takeover recreates nothing; the model differs in an attribute that forces replacement`,
      `${ROLE}: Terraform would delete this live resource instead of adopting it (delete) — a takeover recreates nothing; the model differs in an attribute that forces replacement`,
    ]);
    expect(r.created).toEqual(["aws_iam_role_policy.p"]);
    expect(r.updates).toEqual([]);
  });

  it("a zone or key secret destroyed outside the imports is refused too", () => {
    const r = analysePlan([], new Set(), ["aws_secretsmanager_secret.key (destroy)"]);
    expect(r.refusals).toEqual(["aws_secretsmanager_secret.key (destroy): a zone or the key secret is never removed by a takeover"]);
  });
});
