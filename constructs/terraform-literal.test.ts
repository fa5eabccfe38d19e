/**
 * Defence in depth (issue 10 item 1): a model value that legitimately holds `${`/`%{` (the DMARC
 * report mailbox, the registrar's zone comment) reaches Terraform escaped, and a real `terraform plan`
 * plans it verbatim — neither interpolated (`${path.cwd}` → the directory) nor run as a directive.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { LocalBackend, TerraformStack, Testing } from "cdktf";
import { OFFLINE_AWS_ENV, terraformEnv, terraformOrThrow } from "../lib/terraform";
import { planOffline } from "../flows/plan-offline";
import { synthPlatform } from "../flows/synth";
import { sandboxPlatform } from "../testing/stacks";
import { accountProvider } from "./aws-account-provider";
import { MailPolicyRecords } from "./mail-policy-records";
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

/**
 * The applied record: the real MailPolicyRecords construct and a zone carrying the comment, applied by
 * the real terraform and aws provider to moto on loopback, then read back from moto's Route53.
 */
describe("an escaped model value survives verbatim to the applied record (terraform apply against moto)", () => {
  let moto: ChildProcess | undefined;
  let endpoint: string;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "h10a-moto-"));
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    await waitFor(async () => (await fetch(`${endpoint}/moto-api/`)).ok);
  }, 60_000);
  afterAll(async () => {
    if (moto && moto.exitCode === null) {
      const exited = new Promise((r) => moto!.once("exit", r));
      moto.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the Route53 zone comment and the DMARC TXT value read back from AWS are the literals", async () => {
    const app = Testing.app({ outdir: dir } as never);
    const stack = new TerraformStack(app, "escape");
    new LocalBackend(stack, { path: path.join(dir, "escape.tfstate") });
    accountProvider(stack, { name: "Root", kind: "platformRoot", accountId: "123456789012", region: "us-east-1", awsProfile: null, backend: { kind: "local", directory: "x" } }, "sandbox");
    const zone = new Route53Zone(stack, "zone", { name: "escape.example.test", comment: terraformLiteral(COMMENT) });
    new MailPolicyRecords(stack, "policy", {
      zoneId: zone.zoneId,
      spf: { name: "escape.example.test", value: "v=spf1 -all" },
      dmarc: { name: "_dmarc.escape.example.test", value: DMARC_OF(MAILBOX) },
    });
    const stackDir = path.join(dir, "stack");
    fs.mkdirSync(stackDir);
    fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), Testing.synth(stack));
    const env = terraformEnv({ ...OFFLINE_AWS_ENV, AWS_ENDPOINT_URL: endpoint, AWS_ENDPOINT_URL_STS: endpoint, AWS_REGION: "us-east-1" });
    await terraformOrThrow(["init", "-input=false", "-no-color"], { cwd: stackDir, env });
    await terraformOrThrow(["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: stackDir, env });
    const read = spawnSync(
      "python3",
      [
        "-c",
        `import boto3, json
r = boto3.client("route53", endpoint_url="${endpoint}", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
z = [z for z in r.list_hosted_zones()["HostedZones"] if z["Name"] == "escape.example.test."][0]
sets = r.list_resource_record_sets(HostedZoneId=z["Id"])["ResourceRecordSets"]
print(json.dumps({"comment": z["Config"]["Comment"], "dmarc": [v["Value"] for s in sets if s["Name"] == "_dmarc.escape.example.test." for v in s["ResourceRecords"]]}))`,
      ],
      { encoding: "utf8" },
    );
    expect(read.stderr).toBe("");
    expect(JSON.parse(read.stdout)).toEqual({ comment: COMMENT, dmarc: [`"${DMARC_OF(MAILBOX)}"`] });
  }, 180_000);
});

const DMARC_OF = (mailbox: string) => `v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:${mailbox}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error("moto_server did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
}
