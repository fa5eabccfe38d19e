import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "./main";
import { loadPlatform } from "./platform/load";

const platform = loadPlatform("sandbox", { env: {} });
const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "arda-mail-main-"));

function contextFileWith(context: Record<string, unknown>): string {
  const file = path.join(scratch(), "cdktf.json");
  fs.writeFileSync(file, JSON.stringify({ context }));
  return file;
}

describe("the app", () => {
  it("has the stacks of the design, in order", () => {
    const app = buildApp({ platform, outdir: scratch() });
    expect(app.node.children.map((c) => c.node.id)).toEqual(["Root", "Corporate", "Alpha002-dev-Email", "Alpha002-stage-Email", "Alpha001-demo-Email", "Alpha001-prod-Email"]);
  });

  it("synth fails on a missing DKIM context entry, naming the command that fills it", () => {
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, "platform", "sandbox.cdktf.json"), "utf8")).context as Record<string, unknown>;
    const { ["partitionMail:Alpha001:demo"]: _dropped, ...rest } = committed;
    const file = contextFileWith(rest);
    expect(() => buildApp({ platform, outdir: scratch(), contextFile: file })).toThrow(
      /Missing CDKTF context entry "partitionMail:Alpha001:demo" in .*cdktf\.json: run `arda-mail register Alpha001 demo`/,
    );
    const noCorporate = contextFileWith({ ...committed, "corporateMail:Root:arda": undefined });
    expect(() => buildApp({ platform, outdir: scratch(), contextFile: noCorporate })).toThrow(/run `arda-mail register corporate`/);
  });

  it("building selected stacks needs only their context", () => {
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, "platform", "sandbox.cdktf.json"), "utf8")).context as Record<string, unknown>;
    const file = contextFileWith({ "partitionMail:Alpha002:dev": committed["partitionMail:Alpha002:dev"] });
    const app = buildApp({ platform, outdir: scratch(), contextFile: file, stacks: ["Alpha002-dev-Email", "Root"] });
    expect(app.node.children.map((c) => c.node.id)).toEqual(["Root", "Alpha002-dev-Email"]);
  });
});
