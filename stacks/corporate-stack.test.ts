import { Testing } from "cdktf";
import { corporateMailEntry } from "../platform/mail-context";
import { CorporateStack } from "./corporate-stack";
import { SANDBOX_CONTEXT_FILE, sandboxContext, sandboxPlatform, synthJson } from "../testing/stacks";

describe("CorporateStack", () => {
  const platform = sandboxPlatform();
  const entry = corporateMailEntry(platform, sandboxContext(), SANDBOX_CONTEXT_FILE);
  const json = synthJson(new CorporateStack(Testing.app(), platform, { kind: "context", entry }));
  const records = Object.values(json.resource.aws_route53_record as Record<string, any>);

  it("delegates arda.<root> through the assumed Root role even though same-account (DQ-R1-010)", () => {
    const ns = records.find((r) => r.type === "NS");
    expect(ns).toMatchObject({ provider: "aws.upstream_dns", zone_id: "Z00SANDBOXROOTZONE01", name: "arda.ardamails.com" });
    const [own, upstream] = json.provider.aws as any[];
    expect(own.allowed_account_ids).toEqual(upstream.allowed_account_ids);
    expect(json.variable.upstream_dns_role_arn.default).toBe("arn:aws:iam::100000000001:role/AllowCreatingNSRecordsRole");
  });

  it("verifies at the parent arda.<root>: DKIM and Return-Path there, not at a leaf (DQ-R1-009)", () => {
    expect(
      records
        .filter((r) => r.type !== "NS")
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
    ).toEqual(["CNAME pm-bounces.arda.ardamails.com", `TXT ${entry.dkimSelector}._domainkey.arda.ardamails.com`, "TXT _dmarc.arda.ardamails.com", "TXT arda.ardamails.com"]);
    expect(records.find((r) => r.name === "_dmarc.arda.ardamails.com").records).toEqual(["v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:dmarc-reports@arda.cards"]);
  });
});
