/**
 * The takeover planner over the REAL platform model (platform/arda.platform.json), which records the
 * live facts of the 2026-05-26 CloudFormation rollout: each partition's zone id (adopted by the stack's
 * own `import` block) and the role names the operator log records. The live views here are shaped like
 * discovery's answer for those accounts; role names the log does not record are marked as examples.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { terraformEnv, terraformOrThrow, runTerraform } from "../../lib/terraform";
import { loadPlatform, platformFile, ROOT_ACCOUNT_ENV, validatePlatform } from "../../platform/load";
import type { Platform } from "../../platform/model";
import { SANDBOX_CONTEXT_FILE } from "../../testing/stacks";
import { synthPlatform } from "../synth";
import { IMPORT_FILE, writeImportFile } from "./adopt";
import { importBlocks, planTakeover, type LiveView } from "./plan";
import { readSynthesizedStack, type SynthesizedStack } from "./synthesized";
import { formatTakeoverPlan } from "./takeover";

const ROOT_ZONE = "Z0721066239FWCD47EJDX";
const ALPHA002 = "139852620346";
const LIVE = {
  dev: { stack: "Alpha002-dev-Email", zone: "Z0830123OPJSQ95EYD0M" },
  stage: { stack: "Alpha002-stage-Email", zone: "Z04777883Q1CKSWK2HMEO", dnsRole: "Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l" },
  demo: { stack: "Alpha001-demo-Email", zone: "Z0773606AM0US4FJPIL5" },
  prod: { stack: "Alpha001-prod-Email", zone: "Z08953673OJURK2OYVKBZ", dnsRole: "Alpha001-prod-Email-EmailDnsProvisioningRoleNsDeleg-2fiNWHdBEaWC" },
} as const;
const DNS_ROLE = "aws_iam_role.EmailDnsProvisioningRole_role_83F4D6F0";
const FALLBACK_ROLE = "aws_iam_role.EmailEncryptionKeyFallbackRole_role_76697938";
const ZONE = "aws_route53_zone.partition_zone";
/** Not in the log: CloudFormation's auto-name for stage's fallback role, an example of its shape. */
const STAGE_FALLBACK_EXAMPLE = "Alpha002-stage-Email-EmailEncryptionKeyFallbackRo-EXAMPLE00001";

const ardaRaw = (): Record<string, any> => JSON.parse(fs.readFileSync(platformFile("arda"), "utf8"));
const arda = (raw: unknown = ardaRaw()): Platform => validatePlatform(raw, { source: "platform/arda.platform.json", env: { [ROOT_ACCOUNT_ENV]: "111122223333" } });

describe("takeover on the real model: the live zone ids and role names it records", () => {
  let dir: string;
  const synthOf = (platform: Platform, stacks: string[]): Record<string, SynthesizedStack> => {
    const r = synthPlatform({ platform, outdir: fs.mkdtempSync(path.join(dir, "synth-")), hcl: false, contextFile: SANDBOX_CONTEXT_FILE, stacks });
    return Object.fromEntries(stacks.map((s) => [s, readSynthesizedStack(s, path.join(r.stackDirs[s], "cdk.tf.json"))]));
  };
  let real: Record<string, SynthesizedStack>;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "takeover-live-facts-"));
    real = synthOf(
      loadPlatform("arda", { env: { [ROOT_ACCOUNT_ENV]: "111122223333" } }),
      Object.values(LIVE).map((l) => l.stack),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** What discovery reads for a partition whose live zone is `zoneId` (one live zone of the name, CloudFormation's stack). */
  function liveView(synth: SynthesizedStack, domain: string, zoneIds: string[], roles: Record<string, string | null>): LiveView {
    const named = (t: string) => synth.resources.filter((r) => r.identity.type === t).map((r) => r.identity as { name: string; recordType?: string; upstream?: boolean });
    const records = named("aws_route53_record").filter((r) => !r.upstream);
    const role = (n: string | null) => (n ? { name: n, arn: `arn:aws:iam::${ALPHA002}:role/${n}`, inlinePolicies: [] } : null);
    return {
      stack: synth.stack,
      cloudFormation: {
        status: "CREATE_COMPLETE",
        resources: [
          ...zoneIds.map((id, i) => ({ logicalId: `PartitionMailZone${i}`, type: "AWS::Route53::HostedZone", physicalId: id, status: "CREATE_COMPLETE" })),
          { logicalId: "NsDelegationCustomResource1", type: "Custom::CrossAccountNsDelegation", physicalId: "ns-deleg-1", status: "CREATE_COMPLETE" },
          { logicalId: "NsDelegationProviderFn", type: "AWS::Lambda::Function", physicalId: "fn-1", status: "CREATE_COMPLETE" },
        ],
        exports: zoneIds.map((id) => ({ name: `${synth.stack.replace(/-Email$/, "")}-API-PartitionMailZoneId`, value: id, exportingStackId: "x" })),
      },
      zonesByName: { [domain]: zoneIds.map((id) => ({ id, name: domain })) },
      recordsByZone: {
        ...Object.fromEntries(zoneIds.map((id) => [id, records.map((r) => ({ name: r.name, type: r.recordType! }))])),
        [ROOT_ZONE]: [{ name: domain, type: "NS" }],
      },
      secretsByName: Object.fromEntries(named("aws_secretsmanager_secret").map((s, i) => [s.name, { name: s.name, arn: `arn:aws:secretsmanager:us-east-1:${ALPHA002}:secret:${s.name}-Ab${i}` }])),
      rolesByAddress: Object.fromEntries(Object.entries(roles).map(([a, n]) => [a, role(n)])),
    };
  }

  it("every partition stack of the real model adopts its live zone with its own import block", () => {
    for (const l of Object.values(LIVE)) expect([l.stack, real[l.stack].imports]).toEqual([l.stack, [{ to: ZONE, id: l.zone }]]);
  });

  it("refuses when the live zone of the name is not the model's zone id — word for word, nothing imported", () => {
    const dev = real[LIVE.dev.stack];
    const plan = planTakeover(dev, liveView(dev, "dev.ardamails.com", ["Z0SECONDDEVZONE1"], { [DNS_ROLE]: null, [FALLBACK_ROLE]: null }));
    expect(plan.refusals).toEqual([`${ZONE}: the model's zone id Z0830123OPJSQ95EYD0M for dev.ardamails.com is not the live one (Z0SECONDDEVZONE1)`]);
    expect(plan.imports.map((i) => i.address)).not.toContain(ZONE);
    // No live zone of the name at all: also refused, never created beside the model's id.
    const none = planTakeover(dev, liveView(dev, "dev.ardamails.com", [], { [DNS_ROLE]: null, [FALLBACK_ROLE]: null }));
    expect(none.refusals).toEqual([`${ZONE}: the model's zone id Z0830123OPJSQ95EYD0M for dev.ardamails.com is not a live zone (no live zone has that name)`]);
    expect(none.creates.map((c) => c.address)).not.toContain(ZONE);
  });

  it("with the live id: the zone is adopted by the stack's import block, the import file has no second one, the records import in that zone", () => {
    const stage = real[LIVE.stage.stack];
    const plan = planTakeover(stage, liveView(stage, "stage.ardamails.com", [LIVE.stage.zone], { [DNS_ROLE]: LIVE.stage.dnsRole, [FALLBACK_ROLE]: null }));
    expect(plan.refusals).toEqual([]);
    const file = importBlocks(plan).import;
    expect(file.filter((i) => i.to === ZONE)).toEqual([]);
    // The operator still sees the zone among the imports, as the stack's own.
    expect(plan.imports).toContainEqual({ address: ZONE, id: LIVE.stage.zone, byStack: true, logicalId: "PartitionMailZone0" });
    expect(formatTakeoverPlan(plan)).toContain(`  import  ${ZONE} ← ${LIVE.stage.zone} (the stack's own import block: the model records this id)`);
    const all = [...stage.imports, ...file].map((i) => i.to);
    expect(new Set(all).size).toBe(all.length);
    const records = file.filter((i) => i.to.startsWith("aws_route53_record.") && !i.to.startsWith("aws_route53_record.ns_delegation"));
    expect(records.length).toBe(4);
    expect(records.every((r) => r.id.startsWith(`${LIVE.stage.zone}_`))).toBe(true);
    expect(file).toContainEqual({ to: "aws_route53_record.ns_delegation_ns_23B72064", id: `${ROOT_ZONE}_stage.ardamails.com_NS` });
    // The recorded role name imports the live role by name: its ARN (exported by CloudFormation) stays.
    expect(file).toContainEqual({ to: DNS_ROLE, id: LIVE.stage.dnsRole });
    // CloudFormation lets go of the zone only after Retain (it is adopted, though by the stack's block).
    expect(plan.cloudFormation!.retain).toContain("PartitionMailZone0");
    expect(plan.cloudFormation!.delete).not.toContain("PartitionMailZone0");
  });

  it("Terraform accepts the stack with its import file: one import per address", async () => {
    const stage = real[LIVE.stage.stack];
    const plan = planTakeover(stage, liveView(stage, "stage.ardamails.com", [LIVE.stage.zone], { [DNS_ROLE]: LIVE.stage.dnsRole, [FALLBACK_ROLE]: null }));
    const r = synthPlatform({ platform: arda(), outdir: fs.mkdtempSync(path.join(dir, "tf-")), hcl: false, contextFile: SANDBOX_CONTEXT_FILE, stacks: [LIVE.stage.stack] });
    const stackDir = r.stackDirs[LIVE.stage.stack];
    writeImportFile(stackDir, plan);
    const env = terraformEnv();
    await terraformOrThrow(["init", "-backend=false", "-input=false", "-no-color"], { cwd: stackDir, env });
    await terraformOrThrow(["validate", "-no-color"], { cwd: stackDir, env });
    // The control: a second import block for the zone is what Terraform refuses.
    const file = path.join(stackDir, IMPORT_FILE);
    const blocks = JSON.parse(fs.readFileSync(file, "utf8")) as { import: Array<{ to: string; id: string }> };
    fs.writeFileSync(file, JSON.stringify({ import: [...blocks.import, { to: ZONE, id: LIVE.stage.zone }] }));
    const dup = await runTerraform(["validate", "-no-color"], { cwd: stackDir, env });
    expect(dup.code).not.toBe(0);
    expect(dup.stderr + dup.stdout).toContain("Duplicate import configuration");
  }, 120_000);

  it("prod's recorded DNS role name is imported by name", () => {
    const prod = real[LIVE.prod.stack];
    const plan = planTakeover(prod, liveView(prod, "prod.ardamails.com", [LIVE.prod.zone], { [DNS_ROLE]: LIVE.prod.dnsRole, [FALLBACK_ROLE]: null }));
    expect(plan.refusals).toEqual([]);
    expect(plan.imports).toContainEqual({ address: DNS_ROLE, id: LIVE.prod.dnsRole });
  });

  it("a live role whose name the model does not record is refused naming the live role; recording it in adoptedRoleNames imports it", () => {
    const stage = real[LIVE.stage.stack];
    const refused = planTakeover(stage, liveView(stage, "stage.ardamails.com", [LIVE.stage.zone], { [DNS_ROLE]: LIVE.stage.dnsRole, [FALLBACK_ROLE]: STAGE_FALLBACK_EXAMPLE }), {
      partition: "stage",
    });
    // The operator reads the live name, its ARN and the model field that keeps it.
    expect(refused.refusals).toEqual([
      `${FALLBACK_ROLE}: the live role ${STAGE_FALLBACK_EXAMPLE} does not have the model's name prefix Alpha002-stage-EmailKeyFallback- — importing it would replace the role and change its ARN (arn:aws:iam::${ALPHA002}:role/${STAGE_FALLBACK_EXAMPLE}); keep it: set partitions.stage.adoptedRoleNames.EmailEncryptionKeyFallbackRole to "${STAGE_FALLBACK_EXAMPLE}" in the model`,
    ]);
    const raw = ardaRaw();
    raw.partitions.find((p: { name: string }) => p.name === "stage").adoptedRoleNames.EmailEncryptionKeyFallbackRole = STAGE_FALLBACK_EXAMPLE;
    const fixed = synthOf(arda(raw), [LIVE.stage.stack])[LIVE.stage.stack];
    const plan = planTakeover(fixed, liveView(fixed, "stage.ardamails.com", [LIVE.stage.zone], { [DNS_ROLE]: LIVE.stage.dnsRole, [FALLBACK_ROLE]: STAGE_FALLBACK_EXAMPLE }));
    expect(plan.refusals).toEqual([]);
    expect(plan.imports).toContainEqual({ address: FALLBACK_ROLE, id: STAGE_FALLBACK_EXAMPLE });
  });
});
