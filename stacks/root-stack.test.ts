import { Testing } from "cdktf";
import { RootStack } from "./root-stack";
import { sandboxPlatform, synthJson } from "../testing/stacks";

describe("RootStack", () => {
  const json = synthJson(new RootStack(Testing.app(), sandboxPlatform()));

  it("adopts the registrar's zone with an import block, never destroyed, comment mirrored", () => {
    expect(json.import).toEqual([{ to: "aws_route53_zone.mail_root_zone", id: "Z00SANDBOXROOTZONE01" }]);
    expect(json.resource.aws_route53_zone).toEqual({
      mail_root_zone: { name: "ardamails.com", comment: "HostedZone created by Route53 Registrar", force_destroy: false, lifecycle: { prevent_destroy: true } },
    });
    // Default tags would turn the read-only adoption into a write.
    expect(json.provider.aws[0].default_tags).toBeUndefined();
  });

  it("the DNS-records role has its deterministic name, NS-only changes in the root zone, trust = child accounts", () => {
    expect(Object.values(json.resource.aws_iam_role as Record<string, any>)[0].name).toBe("AllowCreatingNSRecordsRole");
    const docs = json.data.aws_iam_policy_document as Record<string, any>;
    const perms = Object.entries(docs).find(([k]) => k.includes("permissions"))![1];
    expect(perms.statement[0]).toEqual({
      sid: "ChangeRecordsInAllowedZones",
      effect: "Allow",
      actions: ["route53:ChangeResourceRecordSets"],
      resources: ["arn:aws:route53:::hostedzone/Z00SANDBOXROOTZONE01"],
      condition: [{ test: "ForAllValues:StringEquals", variable: "route53:ChangeResourceRecordSetsRecordTypes", values: ["NS"] }],
    });
    const trust = Object.entries(docs).find(([k]) => k.includes("trust"))![1];
    expect(trust.statement[0].principals).toEqual([{ type: "AWS", identifiers: ["arn:aws:iam::100000000001:root", "arn:aws:iam::100000000003:root", "arn:aws:iam::100000000002:root"] }]);
  });

  it("parent SPF and DMARC at the apex, nothing else in the root zone", () => {
    const records = Object.values(json.resource.aws_route53_record as Record<string, any>)
      .map((r) => [r.name, r.type, r.records])
      .sort();
    expect(records).toEqual([
      ["_dmarc.ardamails.com", "TXT", ["v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:dmarc-reports@arda.cards"]],
      ["ardamails.com", "TXT", ["v=spf1 -all"]],
    ]);
    expect(Object.keys(json.output).sort()).toEqual(["AllowCreatingNSRecordsRoleArn", "MailRootZoneId", "MailRootZoneName"]);
  });
});
