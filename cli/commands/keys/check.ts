import * as fs from "node:fs";
import { Args, Flags } from "@oclif/core";
import { ArdaCommand, CliError } from "../../base-command";
import { describeFsError } from "../../../lib/atomic-file";
import { describeRegistry } from "../../../lib/keys";
import { parseRegistryOrFail, partitionKeyRegistryRef, type KeysResult } from "../../../flows/keys";
import { partitionOrFail } from "../../lib/args";

export default class KeysCheck extends ArdaCommand<typeof KeysCheck> {
  static summary = "Validate an encryption-key registry (non-empty, lower-case UUID keys, 64-byte keys, no duplicates, at most 65,536 bytes — the rule deploy applies).";
  static description =
    "Reads the partition's registry (op://<vault>/EmailEncryptionKey/registry) from the secret store, or a JSON file with --file, " + "and names the first bad entry. Key material is never printed.";
  static examples = ["<%= config.bin %> keys check Alpha002 dev --secrets file:./sandbox.secrets.json", "<%= config.bin %> keys check --file ./registry.json"];
  static args = {
    infrastructure: Args.string({ description: "AWS account name, e.g. Alpha002" }),
    partition: Args.string({ description: "partition name, e.g. dev" }),
  };
  static flags = { file: Flags.string({ description: "check a registry JSON file instead of the secret store" }) };

  public async run(): Promise<KeysResult> {
    let text: string;
    let ref: string;
    let source: "store" | "file" = "store";
    const file = this.flags.file as string | undefined;
    if (file) {
      ref = file;
      source = "file";
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (e) {
        throw new CliError(`cannot read ${file}: it ${describeFsError(e as NodeJS.ErrnoException)}`, "pass an existing registry file");
      }
    } else {
      const { infrastructure, partition } = this.args as { infrastructure?: string; partition?: string };
      if (!infrastructure || !partition) throw new CliError("name a partition (<infrastructure> <partition>) or pass --file", "e.g. arda-mail keys check Alpha002 dev");
      const p = partitionOrFail(this.platform(), infrastructure, partition);
      ref = partitionKeyRegistryRef(p);
      text = await this.readSecret(ref, `key registry of ${p.infrastructure}/${p.name}`);
    }
    this.rememberSecret(text);
    const reg = parseRegistryOrFail(text, ref, source);
    const d = describeRegistry(reg);
    this.progress(`${ref}: valid, ${d.entries} entr${d.entries === 1 ? "y" : "ies"}, current ${d.current}`);
    return { ref, action: "checked", ...d };
  }
}
