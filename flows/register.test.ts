import { PostmarkClient } from "../lib/postmark/client";
import type { DomainDetails } from "../lib/postmark/types";
import { readContext } from "../platform/mail-context";
import Register from "../cli/commands/register";
import { entryFromDomain, type RegisterResult } from "./register";
import { CANARY_TOKEN, runInProcess, startHarness, type Harness } from "../testing/cli";
import { domainDetails } from "../testing/postmark-domain";

/** Verified, so each case below sets the DKIM keys it is about. */
const base = domainDetails({ DKIMVerified: true, ReturnPathDomainVerified: true });

describe("which DKIM key register writes", () => {
  test("the current key when Postmark has one, with a rotation's pending key beside it; else the pending one", () => {
    const rotating = {
      ...base,
      DKIMHost: "111pm._domainkey.dev.ardamails.com",
      DKIMTextValue: "k=rsa;p=CURRENT",
      DKIMPendingHost: "222pm._domainkey.dev.ardamails.com",
      DKIMPendingTextValue: "k=rsa;p=NEXT",
    } as DomainDetails;
    expect(entryFromDomain(rotating)).toEqual({
      key: "current",
      entry: {
        domainId: 7,
        dkimSelector: "111pm",
        dkimPublicKey: "k=rsa;p=CURRENT",
        dkimHost: "111pm._domainkey.dev.ardamails.com",
        returnPathDomain: "pm-bounces.dev.ardamails.com",
        returnPathTarget: "pm.mtasv.net",
        rotationKeys: [{ role: "pending", dkimSelector: "222pm", dkimPublicKey: "k=rsa;p=NEXT", dkimHost: "222pm._domainkey.dev.ardamails.com" }],
      },
    });
    const switched = {
      ...rotating,
      DKIMHost: "222pm._domainkey.dev.ardamails.com",
      DKIMTextValue: "k=rsa;p=NEXT",
      DKIMPendingHost: "",
      DKIMPendingTextValue: "",
      DKIMRevokedHost: "111pm._domainkey.dev.ardamails.com",
      DKIMRevokedTextValue: "k=rsa;p=CURRENT",
    } as DomainDetails;
    expect(entryFromDomain(switched).entry).toMatchObject({ dkimSelector: "222pm", rotationKeys: [{ role: "revoked", dkimSelector: "111pm", dkimPublicKey: "k=rsa;p=CURRENT" }] });
    expect(entryFromDomain({ ...switched, SafeToRemoveRevokedKeyFromDNS: true }).entry).not.toHaveProperty("rotationKeys");
    const fresh = { ...base, DKIMHost: "", DKIMTextValue: "", DKIMPendingHost: "222pm._domainkey.dev.ardamails.com", DKIMPendingTextValue: "k=rsa;p=NEXT" } as DomainDetails;
    expect(entryFromDomain(fresh)).toEqual({ key: "pending", entry: expect.not.objectContaining({ rotationKeys: expect.anything() }) });
    expect(entryFromDomain(fresh)).toMatchObject({ key: "pending", entry: { dkimSelector: "222pm", dkimPublicKey: "k=rsa;p=NEXT" } });
    expect(() => entryFromDomain({ ...fresh, DKIMPendingHost: "", DKIMPendingTextValue: "" } as DomainDetails)).toThrow("Postmark returned domain dev.ardamails.com (ID 7) without any DKIM key");
  });

  describe("against the sandbox: pending → verified → rotation → switched → old key safe to remove", () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => h.close());

    test("verification moves the key to current with the same values (no change); a rotation is published in three --update steps", async () => {
      const first = await runInProcess<RegisterResult>(Register, ["Alpha002", "dev", ...h.flags, "--json"]);
      expect(first.code).toBe(0);
      const entry = JSON.parse(first.stdout).entry;
      const client = new PostmarkClient({ accountToken: CANARY_TOKEN, apiUrl: h.sandbox.url });
      await h.sandbox.admin.addTxt(entry.dkimHost, entry.dkimPublicKey);
      await h.sandbox.admin.addCname(entry.returnPathDomain, "pm.mtasv.net");
      let d = await client.verifyDkim(entry.domainId);
      for (let i = 0; i < 5 && !d.DKIMVerified; i++) d = await client.verifyDkim(entry.domainId);
      expect(d.DKIMVerified).toBe(true);
      const verified = await runInProcess<RegisterResult>(Register, ["Alpha002", "dev", ...h.flags, "--json"]);
      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ context: "unchanged", dkimKey: "current" });

      // A rotation: the pending key must be published beside the current one — reported, written only with --update.
      const rotated = await client.rotateDkim(entry.domainId);
      const next = rotated.DKIMPendingHost.split("._domainkey.")[0];
      const reported = await runInProcess<RegisterResult>(Register, ["Alpha002", "dev", ...h.flags, "--json"]);
      expect(reported.code).toBe(1);
      expect(reported.stderr).toContain(`rotationKeys: committed none, Postmark pending ${next}`);
      expect(reported.stderr).toContain("re-run with --update");
      expect(readContext(h.contextFile)["partitionMail:Alpha002:dev"]).toEqual(entry);

      const register = async (): Promise<RegisterResult> => {
        const r = await runInProcess<RegisterResult>(Register, ["Alpha002", "dev", ...h.flags, "--update", "--json"]);
        expect(r.code).toBe(0);
        return JSON.parse(r.stdout) as RegisterResult;
      };
      const started = await register();
      expect(started).toMatchObject({
        context: "written",
        dkimKey: "current",
        entry: { dkimSelector: entry.dkimSelector, rotationKeys: [{ role: "pending", dkimSelector: next, dkimPublicKey: rotated.DKIMPendingTextValue }] },
      });

      // Postmark sees the pending key in DNS and signs with it; the old key stays published until safe to remove.
      await h.sandbox.admin.addTxt(rotated.DKIMPendingHost, rotated.DKIMPendingTextValue);
      d = await client.verifyDkim(entry.domainId);
      for (let i = 0; i < 5 && d.DKIMPendingHost; i++) d = await client.verifyDkim(entry.domainId);
      expect(d).toMatchObject({ DKIMHost: rotated.DKIMPendingHost, DKIMRevokedHost: entry.dkimHost, SafeToRemoveRevokedKeyFromDNS: false });
      const switched = await register();
      expect(switched.entry).toMatchObject({ dkimSelector: next, rotationKeys: [{ role: "revoked", dkimSelector: entry.dkimSelector, dkimPublicKey: entry.dkimPublicKey }] });
      expect(switched.differences).toContain(`rotationKeys: committed pending ${next}, Postmark revoked ${entry.dkimSelector}`);

      d = await client.verifyDkim(entry.domainId);
      expect(d.SafeToRemoveRevokedKeyFromDNS).toBe(true);
      const done = await register();
      expect(done.entry).toEqual({ ...entry, dkimSelector: next, dkimHost: rotated.DKIMPendingHost, dkimPublicKey: rotated.DKIMPendingTextValue });
      expect(readContext(h.contextFile)["partitionMail:Alpha002:dev"]).toEqual(done.entry);
    });
  });
});
