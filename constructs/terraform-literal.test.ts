/**
 * Defence in depth (issue 10 item 1): a model value that legitimately holds `${`/`%{` (the DMARC
 * report mailbox, the registrar's zone comment) reaches Terraform escaped, and a real `terraform plan`
 * plans it verbatim — neither interpolated (`${path.cwd}` → the directory) nor run as a directive.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planOffline } from "../scripts/plan-offline";
import { synthPlatform } from "../scripts/synth";
import { sandboxPlatform } from "../stacks/test-support";
import { terraformLiteral } from "./terraform-literal";

const MAILBOX = "dmarc+${path.cwd}%{endif}@arda.cards";
const COMMENT = 'HostedZone ${file("/etc/hostname")} %{if true}x%{endif}';

describe("terraformLiteral", () => {
  it("escapes interpolations and directives, and nothing else", () => {
    expect(terraformLiteral('a${file("/etc/hostname")}b%{if x}c$d%e{f}$${g}')).toBe('a$${file("/etc/hostname")}b%%{if x}c$d%e{f}$$${g}');
    expect(terraformLiteral("dev.ardamails.com")).toBe("dev.ardamails.com");
  });

  it("refuses CDKTF's token marker (it would become a reference)", () => {
    expect(() => terraformLiteral("${TfToken[TOKEN.1]}")).toThrow("refusing to write a value that contains CDKTF's token marker into Terraform");
  });
});

describe("an escaped model value survives verbatim (synth and a real terraform plan)", () => {
  const platform = sandboxPlatform((raw) => {
    raw.dmarcReportMailbox = MAILBOX;
    raw.rootZone.comment = COMMENT;
  });
  let outdir: string;
  beforeAll(() => (outdir = fs.mkdtempSync(path.join(os.tmpdir(), "h10a-escape-"))));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  const DMARC = (mailbox: string) => `v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:${mailbox}`;
  const STACKS = ["Root", "Alpha002-dev-Email"];

  it("the synthesized JSON carries the escaped form", () => {
    const r = synthPlatform({ platform, outdir, stacks: STACKS, hcl: false });
    const root = JSON.parse(fs.readFileSync(path.join(r.stackDirs.Root, "cdk.tf.json"), "utf8"));
    expect(root.resource.aws_route53_zone.mail_root_zone.comment).toBe('HostedZone $${file("/etc/hostname")} %%{if true}x%%{endif}');
    const dev = JSON.parse(fs.readFileSync(path.join(r.stackDirs["Alpha002-dev-Email"], "cdk.tf.json"), "utf8"));
    const records = Object.values(dev.resource.aws_route53_record as Record<string, { name: string; records: string[] }>);
    expect(records.find((x) => x.name === "_dmarc.dev.ardamails.com")!.records).toEqual([DMARC("dmarc+$${path.cwd}%%{endif}@arda.cards")]);
  });

  it("terraform plans the literal value, not its evaluation", async () => {
    const plans = await planOffline({ platform, outdir, stacks: STACKS });
    type Planned = { address: string; values: Record<string, unknown> };
    const resources = (stack: string): Planned[] => {
      const plan = JSON.parse(fs.readFileSync(plans.find((p) => p.stack === stack)!.planFile, "utf8"));
      const mod = plan.planned_values.root_module as { resources?: Planned[]; child_modules?: { resources?: Planned[] }[] };
      return [...(mod.resources ?? []), ...(mod.child_modules ?? []).flatMap((m) => m.resources ?? [])];
    };
    const root = resources("Root");
    expect(root.find((r) => r.address === "aws_route53_zone.mail_root_zone")!.values.comment).toBe(COMMENT);
    expect(root.find((r) => r.values.name === "_dmarc.ardamails.com")!.values.records).toEqual([DMARC(MAILBOX)]);
    const dev = resources("Alpha002-dev-Email");
    expect(dev.find((r) => r.values.name === "_dmarc.dev.ardamails.com")!.values.records).toEqual([DMARC(MAILBOX)]);
  }, 180_000);
});
