import { ProviderContext } from "../context";
import { isUnknown, UNKNOWN } from "../protocol/cty";
import { domainResource } from "./domain";
import { domainAttributes } from "./domain-state";
import { domainDetails } from "../../../testing/postmark-domain";

const r = domainResource(new ProviderContext());

const details = domainDetails;

describe("postmark_domain attributes from Postmark", () => {
  test("a new domain: the DNS must carry the pending key", () => {
    const a = domainAttributes(details({}));
    expect(a).toMatchObject({ id: "7", dkim_selector: "20260526234343pm", dkim_record_host: "20260526234343pm._domainkey.dev.ardamails.com", dkim_record_value: "k=rsa;p=PENDING" });
  });

  test("during a rotation the current key stays the record; pending and revoked are exposed as such", () => {
    const a = domainAttributes(
      details({
        DKIMHost: "20250101000000pm._domainkey.dev.ardamails.com",
        DKIMTextValue: "k=rsa;p=CURRENT",
        DKIMRevokedHost: "20240101000000pm._domainkey.dev.ardamails.com",
        DKIMRevokedTextValue: "k=rsa;p=OLD",
      }),
    );
    expect(a).toMatchObject({ dkim_selector: "20250101000000pm", dkim_record_value: "k=rsa;p=CURRENT", dkim_pending_text_value: "k=rsa;p=PENDING", dkim_revoked_text_value: "k=rsa;p=OLD" });
  });
});

describe("postmark_domain plan", () => {
  const prior = { ...domainAttributes(details({})) };

  test("create: default Return-Path from the name, computed values unknown", () => {
    const p = r.plan({ prior: null, proposed: { ...prior, id: null, return_path_domain: null }, config: { name: "dev.ardamails.com", return_path_domain: null } });
    expect(p.planned?.return_path_domain).toBe("pm-bounces.dev.ardamails.com");
    expect(isUnknown(p.planned?.id)).toBe(true);
    expect(isUnknown(p.planned?.dkim_record_value)).toBe(true);
    expect(p.requiresReplace ?? []).toEqual([]);
  });

  test("rename requires replacement", () => {
    const p = r.plan({ prior, proposed: { ...prior, name: "stage.ardamails.com" }, config: { name: "stage.ardamails.com", return_path_domain: null } });
    expect(p.requiresReplace).toEqual(["name"]);
    expect(p.planned?.return_path_domain).toBe("pm-bounces.stage.ardamails.com");
  });

  test("a name that is not known yet also plans a replacement", () => {
    const p = r.plan({ prior, proposed: { ...prior, name: UNKNOWN }, config: { name: UNKNOWN, return_path_domain: null } });
    expect(p.requiresReplace).toEqual(["name"]);
  });

  test("Return-Path change is in place and only its verification becomes unknown", () => {
    const p = r.plan({ prior, proposed: { ...prior, return_path_domain: "rp.dev.ardamails.com" }, config: { name: "dev.ardamails.com", return_path_domain: "rp.dev.ardamails.com" } });
    expect(p.requiresReplace ?? []).toEqual([]);
    expect(p.planned?.return_path_domain).toBe("rp.dev.ardamails.com");
    expect(isUnknown(p.planned?.return_path_domain_verified)).toBe(true);
    expect(p.planned?.dkim_record_value).toBe("k=rsa;p=PENDING");
  });

  test("unset return_path_domain keeps what Postmark has (no diff after import)", () => {
    const imported = { ...prior, return_path_domain: "bounce.dev.ardamails.com" };
    const p = r.plan({ prior: imported, proposed: imported, config: { name: "dev.ardamails.com", return_path_domain: null } });
    expect(p.planned).toEqual(imported);
  });

  test("destroy plans null", () => {
    expect(r.plan({ prior, proposed: null, config: null }).planned).toBeNull();
  });

  test("calling Postmark before ConfigureProvider is a clear error", async () => {
    await expect(r.read(prior)).rejects.toThrow("the postmark provider is not configured (ConfigureProvider did not succeed)");
  });
});
