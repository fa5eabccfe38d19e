import { ArdaCommand } from "../../base-command";
import { partitionKeyRegistryRef, seedRegistry, type KeysResult } from "../../../flows/keys";
import { partitionArgs, partitionOrFail } from "../../lib/args";

export default class KeysSeed extends ArdaCommand<typeof KeysSeed> {
  static summary = "Create a partition's first encryption key, only if it has no registry yet.";
  static description =
    'Writes { "<uuid v4>": "<base64 of 64 random bytes>" } to op://<vault>/EmailEncryptionKey/registry (DQ-R1-032). ' +
    "An existing registry is validated and left unchanged. Key material is never printed.";
  static examples = ["<%= config.bin %> keys seed Alpha002 dev", "<%= config.bin %> keys seed Alpha001 prod --secrets op --json"];
  static args = partitionArgs;

  public async run(): Promise<KeysResult> {
    const p = partitionOrFail(this.platform(), this.args.infrastructure as string, this.args.partition as string);
    const ref = partitionKeyRegistryRef(p);
    const r = await seedRegistry(this.secretStore(), ref, (v) => this.rememberSecret(v));
    this.progress(r.action === "created" ? `${ref}: created the first key ${r.current}` : `${ref}: a registry already exists (${r.entries} entries) — unchanged`);
    return r;
  }
}
