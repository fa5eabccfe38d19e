/**
 * The context file is edited by people: every register entry (`partitionMail:*`, `corporateMail:*`)
 * and every `corporateAsset:*` entry is checked against its exact shape, unknown fields refused, each
 * problem named by file, entry key and field. Every message is asserted in full.
 */
import * as path from "node:path";
import { loadPlatform, PLATFORM_NAMES, REPO_ROOT, ROOT_ACCOUNT_ENV } from "./load";
import { readContext } from "./context-file";
import { corporateAssetEntry, corporateMailEntry, InvalidContextEntryError, partitionMailEntry, requireMailEntry } from "./mail-context";
import { findPartition } from "./names";
import type { Platform } from "./model";

const SANDBOX_FILE = path.join(__dirname, "sandbox.cdktf.json");
const sandbox = loadPlatform("sandbox", { env: {} });
const dev = findPartition(sandbox, "Alpha002", "dev");
const DEV = "partitionMail:Alpha002:dev";
const CORP = "corporateMail:Root:arda";
const ASSET = "corporateAsset:free-kanban";
const committed = readContext(SANDBOX_FILE);
const devEntry = committed[DEV] as Record<string, unknown>;

/** The problems of a refused entry, after checking the head names the file, the key and the repair. */
function refused(check: () => unknown, key: string, repair: string): string[] {
  try {
    check();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidContextEntryError);
    const [head, ...rest] = (e as Error).message.split("\n");
    expect(head).toBe(`Invalid CDKTF context entry "${key}" in platform/sandbox.cdktf.json (${repair}):`);
    return rest.map((l) => l.replace(/^ {2}- /, ""));
  }
  throw new Error("expected the entry to be refused");
}

const devProblems = (value: unknown): string[] => refused(() => partitionMailEntry(sandbox, dev, { [DEV]: value }, SANDBOX_FILE), DEV, "re-run `arda-mail register Alpha002 dev`");
const withDev = (patch: Record<string, unknown>): string[] => devProblems({ ...devEntry, ...patch });
const MAIL_FIELDS = "known: domainId, dkimSelector, dkimPublicKey, dkimHost, returnPathDomain, returnPathTarget, rotationKeys";
const PENDING = { role: "pending", dkimSelector: "20261201000000pm", dkimPublicKey: "k=rsa;p=NEXT", dkimHost: "20261201000000pm._domainkey.dev.ardamails.com" };

describe("the committed context files pass", () => {
  /** Every entry of a platform's committed context file, each read through its check. */
  function checkAll(platform: Platform): string[] {
    const file = path.join(REPO_ROOT, platform.contextFile);
    const context = readContext(file);
    return Object.keys(context).map((key) => {
      const [kind, infra, name] = key.split(":");
      if (kind === "partitionMail") partitionMailEntry(platform, findPartition(platform, infra, name), context, file);
      else if (kind === "corporateMail") corporateMailEntry(platform, context, file);
      else if (kind === "corporateAsset") corporateAssetEntry(context, key, file);
      else throw new Error(`${key}: not a kind of context entry`);
      return key;
    });
  }

  it.each(PLATFORM_NAMES)("%s", (name) => {
    const platform = loadPlatform(name, { env: { [ROOT_ACCOUNT_ENV]: "123456789012" } });
    const keys = checkAll(platform);
    if (name === "sandbox") expect(keys).toEqual(["partitionMail:Alpha002:dev", "partitionMail:Alpha002:stage", "partitionMail:Alpha001:demo", "partitionMail:Alpha001:prod", CORP]);
    else expect(keys).toEqual([]); // cdktf.json: the real register output is written by `arda-mail register`
  });
});

describe("a partition or Corporate register entry", () => {
  it("a misspelt field is refused, naming the one meant (it passed silently)", () => {
    const { dkimSelector, ...rest } = devEntry;
    expect(devProblems({ ...rest, dkimSelectr: dkimSelector })).toEqual([
      `${DEV}.dkimSelector: required, a non-empty string`,
      `${DEV}.dkimSelectr: unknown field (did you mean "dkimSelector"?); ${MAIL_FIELDS}`,
    ]);
    expect(withDev({ note: "hand-edited" })).toEqual([`${DEV}.note: unknown field; ${MAIL_FIELDS}`]);
  });

  it.each([
    ["dkimSelector", 20261101120000, "must be a string (got the number 20261101120000)"],
    ["dkimPublicKey", ["k=rsa;p=AAAA"], "must be a string (got a list)"],
    ["dkimHost", null, "must be a string (got null)"],
    ["returnPathDomain", "", "required, a non-empty string"],
    ["domainId", { id: 101 }, 'required, the Postmark domain id (a positive integer), not {"id":101}'],
    ["rotationKeys", "pending", "a list of {role, dkimSelector, dkimPublicKey, dkimHost} when present"],
  ])("%s of a wrong type (%p) is refused", (field, value, message) => {
    expect(withDev({ [field]: value })).toEqual([`${DEV}.${field}: ${message}`]);
  });

  it("an entry that is not an object is refused as what it is", () => {
    expect(devProblems("k=rsa;p=AAAA")).toEqual([`${DEV}: must be an object (got a string)`]);
    expect(devProblems([devEntry])).toEqual([`${DEV}: must be an object (got a list)`]);
  });

  it("a selector, key or host name not of Postmark's shape is refused", () => {
    expect(withDev({ dkimSelector: "pm20261101" })).toEqual([`${DEV}.dkimSelector: "pm20261101" is not a Postmark DKIM selector (YYYYMMDDhhmmss + "pm", e.g. 20260526234343pm)`]);
    expect(withDev({ dkimPublicKey: "k=rsa;p=MIGf MA0G" })).toEqual([`${DEV}.dkimPublicKey: not a DKIM TXT value (k=rsa;p=<base64>)`]);
    expect(withDev({ dkimPublicKey: "v=DKIM1; k=ed25519; p=AAAA" })).toEqual([`${DEV}.dkimPublicKey: not a DKIM TXT value (k=rsa;p=<base64>)`]);
    expect(withDev({ dkimHost: "20261101120000pm.dev.ardamails.com" })).toEqual([
      `${DEV}.dkimHost: "20261101120000pm.dev.ardamails.com" is not a DKIM host name (<selector>._domainkey.<sending domain>)`,
    ]);
    expect(withDev({ returnPathDomain: "pm-bounces..dev.ardamails.com" })).toEqual([`${DEV}.returnPathDomain: "pm-bounces..dev.ardamails.com" is not a DNS-safe domain name`]);
    expect(withDev({ returnPathTarget: "PM.MTASV.NET" })).toEqual([`${DEV}.returnPathTarget: "PM.MTASV.NET" is not Postmark's Return-Path target (pm.mtasv.net)`]);
  });

  it("well-shaped values that disagree with the placement function are refused", () => {
    expect(withDev({ returnPathDomain: "pm-bounces.stage.ardamails.com" })).toEqual([`${DEV}.returnPathDomain: "pm-bounces.stage.ardamails.com" should be pm-bounces.dev.ardamails.com`]);
    expect(withDev({ dkimHost: "20261101120000pm._domainkey.stage.ardamails.com" })).toEqual([
      `${DEV}.dkimHost: "20261101120000pm._domainkey.stage.ardamails.com" is not where the placement function puts this domain's DKIM (20261101120000pm._domainkey.dev.ardamails.com)`,
    ]);
  });

  it("a rotation key is as strict as the signing key: unknown field, wrong type, not an object", () => {
    expect(withDev({ rotationKeys: [{ ...PENDING, rol: "pending" }] })).toEqual([
      `${DEV}.rotationKeys[0].rol: unknown field (did you mean "role"?); known: role, dkimSelector, dkimPublicKey, dkimHost`,
    ]);
    expect(withDev({ rotationKeys: [{ ...PENDING, role: 1 }, "pending"] })).toEqual([
      `${DEV}.rotationKeys[0].role: must be "pending" or "revoked" (got the number 1)`,
      `${DEV}.rotationKeys[1]: must be an object (got a string)`,
    ]);
    expect(partitionMailEntry(sandbox, dev, { [DEV]: { ...devEntry, rotationKeys: [PENDING] } }, SANDBOX_FILE).rotationKeys).toEqual([PENDING]);
  });

  it("the Corporate entry is checked the same way; its repair is `register corporate`", () => {
    const corp = committed[CORP] as Record<string, unknown>;
    const problems = refused(() => corporateMailEntry(sandbox, { [CORP]: { ...corp, domainID: 100 } }, SANDBOX_FILE), CORP, "re-run `arda-mail register corporate`");
    expect(problems).toEqual([`${CORP}.domainID: unknown field (did you mean "domainId"?); ${MAIL_FIELDS}`]);
    expect(corporateMailEntry(sandbox, committed, SANDBOX_FILE)).toEqual(corp);
  });

  it("a good entry is returned with exactly its fields", () => {
    expect(requireMailEntry(committed, DEV, "dev.ardamails.com", SANDBOX_FILE)).toEqual(devEntry);
  });
});

describe("a corporateAsset entry (written by `corporate provision`, read before it decides)", () => {
  const good = { serverId: 7, serverName: "Free-Kanban-Generator", domain: "freekanban.arda.ardamails.com", serverTokenRef: "op://Arda-CorporateOAM/Free-Kanban-Generator-Postmark-Server/credential" };
  const REPAIR = "fix it, or delete it and run `arda-mail corporate provision free-kanban --resume` to write it again from Postmark";
  const assetProblems = (value: unknown): string[] => refused(() => corporateAssetEntry({ [ASSET]: value }, ASSET, SANDBOX_FILE), ASSET, REPAIR);
  const ASSET_FIELDS = "known: serverId, serverName, domain, serverTokenRef";

  it("a good entry is returned; an absent one is undefined (not provisioned yet)", () => {
    expect(corporateAssetEntry({ [ASSET]: good }, ASSET, SANDBOX_FILE)).toEqual(good);
    expect(corporateAssetEntry({}, ASSET, SANDBOX_FILE)).toBeUndefined();
  });

  it("an unknown field is refused, naming the one meant; a pasted token's value is not echoed", () => {
    const { serverTokenRef, ...rest } = good;
    expect(assetProblems({ ...rest, serverTokenRf: serverTokenRef })).toEqual([
      `${ASSET}.serverTokenRef: required, a non-empty string`,
      `${ASSET}.serverTokenRf: unknown field (did you mean "serverTokenRef"?); ${ASSET_FIELDS}`,
    ]);
    expect(assetProblems({ ...good, serverToken: "4b7a0f3e-secret-token" })).toEqual([`${ASSET}.serverToken: unknown field; ${ASSET_FIELDS}`]);
  });

  it.each([
    ["serverId", "7", 'required, the Postmark server id (a positive integer), not "7"'],
    ["serverId", 0, "required, the Postmark server id (a positive integer), not 0"],
    ["serverName", "Free\nKanban", '"Free\\nKanban" is not a Postmark server name'],
    ["serverName", 7, "must be a string (got the number 7)"],
    ["domain", "freekanban.arda.ardamails.com.", '"freekanban.arda.ardamails.com." is not a DNS-safe domain name'],
    ["domain", "${path.cwd}", '"${path.cwd}" is not a DNS-safe domain name'],
    ["serverTokenRef", "Arda-CorporateOAM/Free-Kanban-Generator-Postmark-Server", '"Arda-CorporateOAM/Free-Kanban-Generator-Postmark-Server" is not an op://vault/item/field reference'],
  ])("%s %p is refused", (field, value, message) => {
    expect(assetProblems({ ...good, [field]: value })).toEqual([`${ASSET}.${field}: ${message}`]);
  });

  it("a missing field and a non-object entry are refused", () => {
    const { serverId: _id, ...noId } = good;
    expect(assetProblems(noId)).toEqual([`${ASSET}.serverId: required, the Postmark server id (a positive integer)`]);
    expect(assetProblems(null)).toEqual([`${ASSET}: must be an object (got null)`]);
  });
});
