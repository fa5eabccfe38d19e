// oclif 4 probes WSL with a dynamic import(), which jest's VM refuses without --experimental-vm-modules.
jest.mock("../../node_modules/@oclif/core/lib/util/os.js", () => ({ ...jest.requireActual("../../node_modules/@oclif/core/lib/util/os.js"), getPlatform: async () => process.platform }));
import { PostmarkClient } from "../../lib/postmark/client";
import type { DomainDetails } from "../../lib/postmark/types";
import { readContext } from "../../platform/mail-context";
import Register from "../commands/register";
import { entryFromDomain, type RegisterResult } from "./register-flow";
import { CANARY_TOKEN, runInProcess, startHarness, type Harness } from "./testing";

const base = {
  ID: 7, Name: "dev.ardamails.com", SPFVerified: false, DKIMVerified: true, WeakDKIM: false, ReturnPathDomainVerified: true, SPFHost: "", SPFTextValue: "",
  DKIMRevokedHost: "", DKIMRevokedTextValue: "", SafeToRemoveRevokedKeyFromDNS: false, DKIMUpdateStatus: "Pending",
  ReturnPathDomain: "pm-bounces.dev.ardamails.com", ReturnPathDomainCNAMEValue: "pm.mtasv.net",
} as const;

describe("which DKIM key register writes", () => {
  test("the current key when Postmark has one (even while a rotation is pending), else the pending one", () => {
    const rotating = { ...base, DKIMHost: "111pm._domainkey.dev.ardamails.com", DKIMTextValue: "k=rsa;p=CURRENT", DKIMPendingHost: "222pm._domainkey.dev.ardamails.com", DKIMPendingTextValue: "k=rsa;p=NEXT" } as DomainDetails;
    expect(entryFromDomain(rotating)).toEqual({ key: "current", entry: { domainId: 7, dkimSelector: "111pm", dkimPublicKey: "k=rsa;p=CURRENT", dkimHost: "111pm._domainkey.dev.ardamails.com", returnPathDomain: "pm-bounces.dev.ardamails.com", returnPathTarget: "pm.mtasv.net" } });
    const fresh = { ...base, DKIMHost: "", DKIMTextValue: "", DKIMPendingHost: "222pm._domainkey.dev.ardamails.com", DKIMPendingTextValue: "k=rsa;p=NEXT" } as DomainDetails;
    expect(entryFromDomain(fresh)).toMatchObject({ key: "pending", entry: { dkimSelector: "222pm", dkimPublicKey: "k=rsa;p=NEXT" } });
    expect(() => entryFromDomain({ ...fresh, DKIMPendingHost: "", DKIMPendingTextValue: "" } as DomainDetails)).toThrow("without any DKIM key");
  });

  describe("against the sandbox: pending → verified → rotation", () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => h.close());

    test("verification moves the key to current with the same values (no change); a started rotation leaves the committed key alone", async () => {
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

      await client.rotateDkim(entry.domainId);
      const rotating = await runInProcess<RegisterResult>(Register, ["Alpha002", "dev", ...h.flags, "--json"]);
      expect(rotating.code).toBe(0);
      expect(JSON.parse(rotating.stdout)).toMatchObject({ context: "unchanged", dkimKey: "current" });
      expect(readContext(h.contextFile)["partitionMail:Alpha002:dev"]).toEqual(entry);
    });
  });
});
