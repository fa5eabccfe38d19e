import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { platformFile } from "./load";
import { loadSelectedPlatform, PLATFORM_FILE_ENV, selectPlatform } from "./select";

describe("the one platform selection", () => {
  it("--platform wins over ARDA_MAIL_PLATFORM; the sandbox is the default", () => {
    expect(selectPlatform(undefined, {})).toEqual({ name: "sandbox", file: platformFile("sandbox") });
    expect(selectPlatform(undefined, { ARDA_MAIL_PLATFORM: "arda" })).toEqual({ name: "arda", file: platformFile("arda") });
    expect(selectPlatform("sandbox", { ARDA_MAIL_PLATFORM: "arda" }).name).toBe("sandbox");
  });

  it("ARDA_MAIL_PLATFORM_FILE names the model file, and its values are the ones loaded", () => {
    const raw = JSON.parse(fs.readFileSync(platformFile("sandbox"), "utf8"));
    raw.infrastructures.find((i: { name: string }) => i.name === "Alpha002").accountId = "100000000099";
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-select-")), "m.json");
    fs.writeFileSync(file, JSON.stringify(raw));
    const selected = loadSelectedPlatform(undefined, { [PLATFORM_FILE_ENV]: file });
    expect(selected.file).toBe(file);
    expect(selected.platform.infrastructures.find((i) => i.name === "Alpha002")!.accountId).toBe("100000000099");
  });
});
