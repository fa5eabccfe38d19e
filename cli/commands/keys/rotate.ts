import { ArdaCommand } from "../../base-command";
import { partitionKeyRegistryRef, rotateRegistry, type KeysResult } from "../../../flows/keys";
import { partitionArgs, partitionOrFail } from "../../lib/args";

export default class KeysRotate extends ArdaCommand<typeof KeysRotate> {
  static summary = "Append a new encryption key to a partition's registry (newest last; every old key kept).";
  static description =
    "The registry is append-only: the new entry becomes the current version, older entries stay so existing data can still be decrypted. " +
    "Deploy the partition stack afterwards to propagate the registry to Secrets Manager.";
  static examples = ["<%= config.bin %> keys rotate Alpha002 dev"];
  static args = partitionArgs;

  public async run(): Promise<KeysResult> {
    const p = partitionOrFail(this.platform(), this.args.infrastructure as string, this.args.partition as string);
    const ref = partitionKeyRegistryRef(p);
    const r = await rotateRegistry(this.secretStore(), ref, (v) => this.rememberSecret(v));
    this.progress(`${ref}: appended ${r.current}; ${r.entries} entries, all previous kept`);
    return r;
  }
}
