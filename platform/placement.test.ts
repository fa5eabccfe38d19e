import { dkimSelectorFromHost, dmarcPolicy, route53TxtRecord, sendingDomainPlacement, splitTxt } from "./placement";

describe("sendingDomainPlacement", () => {
  it("puts DKIM and Return-Path at the instance-group parent, in its own zone", () => {
    const p = sendingDomainPlacement({
      sendingDomain: "arda.ardamails.com",
      dkim: { selector: "20260526234343pm", publicKey: "k=rsa;p=AAAA" },
      dmarcReportMailbox: "dmarc-reports@arda.cards",
    });
    expect(p).toEqual({
      sendingDomain: "arda.ardamails.com",
      zoneName: "arda.ardamails.com",
      spf: { name: "arda.ardamails.com", value: "v=spf1 include:spf.mtasv.net ~all" },
      dmarc: { name: "_dmarc.arda.ardamails.com", value: "v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:dmarc-reports@arda.cards" },
      dkim: { name: "20260526234343pm._domainkey.arda.ardamails.com", value: "k=rsa;p=AAAA" },
      rotationDkim: [],
      returnPath: { name: "pm-bounces.arda.ardamails.com", target: "pm.mtasv.net" },
    });
  });

  it("publishes a rotation's pending and revoked keys beside the signing key, at the same parent", () => {
    const p = sendingDomainPlacement({
      sendingDomain: "dev.ardamails.com",
      dkim: { selector: "20260601000000pm", publicKey: "k=rsa;p=NEW" },
      rotationKeys: [
        { role: "pending", selector: "20260701000000pm", publicKey: "k=rsa;p=NEXT" },
        { role: "revoked", selector: "20260526234343pm", publicKey: "k=rsa;p=OLD" },
      ],
      dmarcReportMailbox: "dmarc-reports@arda.cards",
    });
    expect(p.dkim).toEqual({ name: "20260601000000pm._domainkey.dev.ardamails.com", value: "k=rsa;p=NEW" });
    expect(p.rotationDkim).toEqual([
      { role: "pending", selector: "20260701000000pm", name: "20260701000000pm._domainkey.dev.ardamails.com", value: "k=rsa;p=NEXT" },
      { role: "revoked", selector: "20260526234343pm", name: "20260526234343pm._domainkey.dev.ardamails.com", value: "k=rsa;p=OLD" },
    ]);
  });

  it("derives the selector from a Postmark DKIM host", () => {
    expect(dkimSelectorFromHost("20260526234343pm._domainkey.dev.ardamails.com")).toBe("20260526234343pm");
    expect(() => dkimSelectorFromHost("dev.ardamails.com")).toThrow('"dev.ardamails.com" is not a DKIM host (<selector>._domainkey.<domain>)');
  });

  it("DMARC policy is quarantine with the report mailbox", () => {
    expect(dmarcPolicy("x@y.z")).toBe("v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:x@y.z");
  });
});

describe("DKIM TXT splitting for Route53", () => {
  it("leaves a value of at most 255 characters as one string", () => {
    const v = "k=rsa;p=" + "A".repeat(247);
    expect(v).toHaveLength(255);
    expect(route53TxtRecord(v)).toBe(v);
  });

  it("splits a longer value into 255-character strings joined for one record", () => {
    const v = "k=rsa;p=" + "B".repeat(400);
    const chunks = splitTxt(v);
    expect(chunks.map((c) => c.length)).toEqual([255, 153]);
    expect(chunks.join("")).toBe(v);
    expect(route53TxtRecord(v)).toBe(`${chunks[0]}""${chunks[1]}`);
  });
});
