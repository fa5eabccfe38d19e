import { ArdaCommand } from "../../base-command";
import { backendRows, type BackendRow } from "../../../flows/backend";

export default class BackendList extends ArdaCommand<typeof BackendList> {
  static summary = "List the Terraform state backend of every AWS account in the platform model.";
  static examples = ["<%= config.bin %> backend list", "<%= config.bin %> backend list --platform arda --json"];

  public async run(): Promise<{ platform: string; backends: BackendRow[] }> {
    const platform = this.platform();
    const rows = backendRows(platform);
    for (const r of rows) this.progress(`${r.infrastructure.padEnd(10)} ${r.accountId}  ${r.where}`);
    return { platform: platform.name, backends: rows };
  }
}
