import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { sandboxPlatform } from "../../testing/stacks";
import { clientConfig, createRegistrarZone, MOTO_MISSING, readRecordSets, startLocalAws, type LocalAws } from "./moto";

describe("local AWS (moto on loopback)", () => {
  const platform = sandboxPlatform();
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws(platform);
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it("gives each model profile its own account through the assumed role", async () => {
    for (const infra of platform.infrastructures) {
      const sts = new STSClient(await clientConfig(aws, infra.awsProfile!));
      const me = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      expect(me.Account).toBe(infra.accountId);
    }
    expect(aws.env).toMatchObject({ AWS_ENDPOINT_URL: aws.endpoint, AWS_ENDPOINT_URL_STS: aws.endpoint, AWS_EC2_METADATA_DISABLED: "true" });
    expect(aws.env.AWS_PROFILE).toBeUndefined();
  });

  it("creates the registrar's zone once, in the model's id shape, and reads its records back", async () => {
    const { zoneId } = await createRegistrarZone(aws, platform);
    expect(zoneId).toMatch(/^Z[0-9A-Z]{4,31}$/);
    expect((await createRegistrarZone(aws, platform)).zoneId).toBe(zoneId);
    const sets = await readRecordSets(aws, "Sandbox-Root", zoneId);
    expect(sets.map((s) => `${s.type} ${s.name}`).sort()).toEqual(["NS ardamails.com", "SOA ardamails.com"]);
    expect(sets.find((s) => s.type === "NS")!.values).toHaveLength(4);
    // Another account does not see the Root account's zone.
    await expect(readRecordSets(aws, "Sandbox-Alpha002", zoneId)).rejects.toThrow(/NoSuchHostedZone|404/);
    await aws.reset();
    await expect(readRecordSets(aws, "Sandbox-Root", zoneId)).rejects.toThrow(/NoSuchHostedZone|404/);
  });

  it("names the pip package when moto_server is missing", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(startLocalAws(platform)).rejects.toThrow(MOTO_MISSING);
    } finally {
      process.env.PATH = path;
    }
    expect(MOTO_MISSING).toContain("pip install 'moto[server]'");
  });

  it("stop() ends the server", async () => {
    const other = await startLocalAws(platform);
    await other.stop();
    await expect(fetch(`${other.endpoint}/moto-api/data.json`)).rejects.toThrow();
  });
});
