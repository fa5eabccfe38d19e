/**
 * What ConfigureProvider leaves for the resources: the Postmark client. Resources call `client()`;
 * before configuration (or after a failed one) that is a clear error rather than a crash.
 */
import type { PostmarkClient } from "../../lib/postmark/client";

export interface DomainApi {
  getDomain: PostmarkClient["getDomain"];
  findDomainByName: PostmarkClient["findDomainByName"];
  createDomain: PostmarkClient["createDomain"];
  editDomain: PostmarkClient["editDomain"];
  deleteDomain: PostmarkClient["deleteDomain"];
  verifyDkim: PostmarkClient["verifyDkim"];
  verifyReturnPath: PostmarkClient["verifyReturnPath"];
}

export class ProviderContext {
  private api: DomainApi | undefined;
  readonly secrets: string[] = [];
  /** Aborted when Terraform calls StopProvider: long waits (verification) end early. */
  readonly stopping = new AbortController();

  setClient(api: DomainApi, secrets: readonly string[]): void {
    this.api = api;
    this.secrets.push(...secrets);
  }

  client(): DomainApi {
    if (!this.api) throw new Error("the postmark provider is not configured (ConfigureProvider did not succeed)");
    return this.api;
  }
}
