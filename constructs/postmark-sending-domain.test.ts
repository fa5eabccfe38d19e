import { Testing, TerraformStack } from "cdktf";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { PostmarkProvider } from "../.gen/providers/postmark/provider";
import { partitionMailEntry } from "../platform/mail-context";
import { findPartition } from "../platform/names";
import { PartitionEmailStack } from "../stacks/partition-email-stack";
import { SANDBOX_CONTEXT_FILE, sandboxContext, sandboxPlatform, synthJson } from "../testing/stacks";
import { DkimValues, PostmarkSendingDomain } from "./postmark-sending-domain";

function domainStack(dkim: DkimValues) {
  const stack = new TerraformStack(Testing.app(), "t");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new PostmarkProvider(stack, "postmark", {});
  const zone = new Route53Zone(stack, "zone", { name: "dev.ardamails.com" });
  const sd = new PostmarkSendingDomain(stack, "sending_domain", { sendingDomain: "dev.ardamails.com", zoneId: zone.zoneId, dmarcReportMailbox: "dmarc-reports@arda.cards", dkim });
  return { json: synthJson(stack), sd };
}

const platform = sandboxPlatform();
const entry = partitionMailEntry(platform, findPartition(platform, "Alpha002", "dev"), sandboxContext(), SANDBOX_CONTEXT_FILE);

describe("PostmarkSendingDomain", () => {
  it("context path: literal DKIM values, verification after both records, keyed on the DKIM value", () => {
    const { json } = domainStack({ kind: "context", entry });
    expect(json.resource.postmark_domain).toBeUndefined();
    const [verification] = Object.values(json.resource.postmark_domain_verification as Record<string, any>);
    expect(verification.domain_id).toBe(String(entry.domainId));
    expect(verification.triggers).toEqual({ dkim: entry.dkimPublicKey, return_path: "pm.mtasv.net" });
    const records = Object.entries(json.resource.aws_route53_record as Record<string, any>);
    const dkimRecord = records.find(([, r]) => r.name === entry.dkimHost)![0];
    const rpRecord = records.find(([, r]) => r.type === "CNAME")![0];
    expect(verification.depends_on.sort()).toEqual([`aws_route53_record.${dkimRecord}`, `aws_route53_record.${rpRecord}`].sort());
  });

  describe("during a DKIM rotation (context path)", () => {
    const sd = "dev.ardamails.com";
    const key = (sel: string, v: string) => ({ dkimSelector: sel, dkimPublicKey: `k=rsa;p=${v}`, dkimHost: `${sel}._domainkey.${sd}` });
    const OLD = key("20260526234343pm", "OLD");
    const NEW = key("20261101000000pm", "NEW");
    const dkimRecords = (json: any) =>
      Object.fromEntries(
        Object.entries(json.resource.aws_route53_record as Record<string, any>)
          .filter(([, r]) => String(r.name).includes("._domainkey."))
          .map(([id, r]) => [id, { name: r.name, records: r.records }]),
      );

    it("publishes the pending key beside the signing key, each record addressed by its selector; the verification waits for both and re-runs on the pending key", () => {
      const { json } = domainStack({ kind: "context", entry: { ...entry, ...OLD, rotationKeys: [{ role: "pending", ...NEW }] } });
      const recs = dkimRecords(json);
      expect(Object.values(recs)).toEqual([
        { name: OLD.dkimHost, records: ["k=rsa;p=OLD"] },
        { name: NEW.dkimHost, records: ["k=rsa;p=NEW"] },
      ]);
      expect(Object.keys(recs).map((id) => id.replace(/_[0-9A-F]{8}$/, ""))).toEqual([`sending_domain_dkim_${OLD.dkimSelector}`, `sending_domain_dkim_${NEW.dkimSelector}`]);
      const [verification] = Object.values(json.resource.postmark_domain_verification as Record<string, any>);
      expect(verification.triggers).toEqual({ dkim: "k=rsa;p=OLD", return_path: "pm.mtasv.net", dkim_pending: "k=rsa;p=NEW" });
      expect(verification.depends_on).toHaveLength(3);
    });

    it("Postmark switching keys changes no DKIM record: same addresses, names and values (only the roles moved)", () => {
      const before = dkimRecords(domainStack({ kind: "context", entry: { ...entry, ...OLD, rotationKeys: [{ role: "pending", ...NEW }] } }).json);
      const after = dkimRecords(domainStack({ kind: "context", entry: { ...entry, ...NEW, rotationKeys: [{ role: "revoked", ...OLD }] } }).json);
      expect(after).toEqual(before);
      const done = dkimRecords(domainStack({ kind: "context", entry: { ...entry, ...NEW } }).json);
      expect(Object.entries(done)).toEqual(Object.entries(before).filter(([, r]) => r.name === NEW.dkimHost));
    });
  });

  it("provider path: a postmark_domain resource feeds the records; same records, same verification", () => {
    const { json, sd } = domainStack({ kind: "provider" });
    const [domain] = Object.values(json.resource.postmark_domain as Record<string, any>);
    expect(domain).toEqual({ name: "dev.ardamails.com", return_path_domain: "pm-bounces.dev.ardamails.com" });
    const domainAddr = `postmark_domain.${Object.keys(json.resource.postmark_domain)[0]}`;
    const records = Object.values(json.resource.aws_route53_record as Record<string, any>);
    const dkim = records.find((r) => String(r.name).includes("._domainkey."));
    expect(dkim.name).toBe(`\${${domainAddr}.dkim_selector}._domainkey.dev.ardamails.com`);
    expect(dkim.records).toEqual([`\${join("\\"\\"", regexall(".{1,255}", ${domainAddr}.dkim_record_value))}`]);
    const rp = records.find((r) => r.type === "CNAME");
    expect(rp).toMatchObject({ name: "pm-bounces.dev.ardamails.com", records: [`\${${domainAddr}.return_path_domain_cname_value}`] });
    const [verification] = Object.values(json.resource.postmark_domain_verification as Record<string, any>);
    expect(verification.domain_id).toBe(`\${${domainAddr}.id}`);
    expect(verification.depends_on).toHaveLength(2);
    expect(sd.placement.returnPath.name).toBe("pm-bounces.dev.ardamails.com");
  });

  it("the partition stack configures Postmark from the sensitive token variable, never a literal", () => {
    const p = findPartition(platform, "Alpha002", "dev");
    const json = synthJson(new PartitionEmailStack(Testing.app(), platform, p, { kind: "context", entry }));
    expect(json.provider.postmark).toEqual([{ account_token: "${var.postmark_account_token}" }]);
    expect(json.variable.postmark_account_token).toMatchObject({ sensitive: true, ephemeral: true });
  });
});
