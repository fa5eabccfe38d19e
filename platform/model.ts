/**
 * The platform model: the one typed source every stack and every CLI command reads.
 * The data lives in `<name>.platform.json` beside this file (so `arda-mail backend set` can write it);
 * `loadPlatform()` parses and validates it into these types.
 */

/** An AWS account ("infrastructure" in Arda's words). */
export interface Infrastructure {
  /** `Root`, `Alpha001`, `Alpha002`, … — appears in stack names, never change once deployed. */
  readonly name: string;
  /** `platformRoot` owns the mail root zone and Corporate; `application` hosts partitions. */
  readonly kind: "platformRoot" | "application";
  /** 12-digit AWS account id. */
  readonly accountId: string;
  readonly region: string;
  /**
   * The AWS CLI profile operators use. Irregular by history (`Admin-Alpha1`, `Alpha002-Admin`):
   * never derived from the name. `null` where the documents do not record it; deploy refuses then.
   */
  readonly awsProfile: string | null;
  /** Where this account's Terraform state lives. */
  readonly backend: StateBackend;
}

export type StateBackend = LocalBackend | S3StateBackend | CloudStateBackend;

export interface LocalBackend {
  readonly kind: "local";
  /** Directory (relative to the repository root) holding `<stack>.tfstate`. */
  readonly directory: string;
}

export interface S3StateBackend {
  readonly kind: "s3";
  readonly bucket: string;
  /** State key is `<keyPrefix>/<stack>.tfstate`. */
  readonly keyPrefix: string;
  readonly region: string;
}

export interface CloudStateBackend {
  readonly kind: "cloud";
  readonly organization: string;
  /** One workspace per stack: `<workspacePrefix><stack>`. */
  readonly workspacePrefix: string;
  readonly project?: string;
}

/** A Postmark account (the account-level token reaches domains and servers). */
export interface PostmarkAccount {
  readonly name: string;
  /** 1Password reference of the account token in the OAM vault (`op://vault/item/field`). */
  readonly tokenRef: string;
}

/** Where a sending domain's DKIM / Return-Path values come from (see PostmarkSendingDomain). */
export type DkimSource = "context" | "provider";

export interface InstanceGroup {
  readonly dkimSource: DkimSource;
}

export interface Partition {
  /** DNS label: `dev`, `stage`, … */
  readonly name: string;
  readonly infrastructure: string;
  /** A suspended partition is not provisioned, but its name stays reserved. */
  readonly status: "active" | "suspended";
  readonly postmarkAccount: string;
  /** The partition's 1Password vault, e.g. `Arda-DevOAM`. */
  readonly vault: string;
  /**
   * The live hosted zone of `<name>.<mailRootDomain>`, when one exists (the CloudFormation rollout's
   * zones): the partition stack adopts it with an `import` block, as Root adopts `rootZone.id`, so a
   * first apply imports it instead of creating a second zone of the same name.
   */
  readonly zoneId?: string;
  /**
   * Names of the live roles a takeover adopts (CloudFormation auto-named them, e.g. stage's
   * `Alpha002-stage-Email-EmailDnsProvisioningRoleNsDele-MEp15pHK7X9l`). A name, not a prefix,
   * keeps the role — and the ARN the application imports — on import.
   */
  readonly adoptedRoleNames?: PartitionRoleNames;
}

export interface PartitionRoleNames {
  readonly EmailDnsProvisioningRole?: string;
  readonly EmailEncryptionKeyFallbackRole?: string;
}

export interface CorporateAsset {
  /** CLI name, e.g. `free-kanban`. */
  readonly name: string;
  /** DNS label under the Corporate zone, e.g. `freekanban` → freekanban.arda.ardamails.com. */
  readonly label: string;
  /** 1Password item (in the Corporate vault) that receives the Postmark server token. */
  readonly serverTokenItem: string;
  /** Postmark server name. */
  readonly serverName: string;
}

export interface Corporate {
  readonly infrastructure: string;
  /** DNS label of the Corporate zone under the mail root: `arda`. */
  readonly label: string;
  readonly postmarkAccount: string;
  readonly vault: string;
  readonly assets: readonly CorporateAsset[];
}

export interface Platform {
  /** `arda` (the real one) or `sandbox` (fake account ids, same shape). */
  readonly name: string;
  readonly mailRootDomain: string;
  readonly dmarcReportMailbox: string;
  readonly reservedNames: readonly string[];
  /** The existing root zone (created by the Route53 registrar) that the Root stack adopts. */
  readonly rootZone: { readonly id: string; readonly comment: string };
  /** Deterministic name of the Root role that child stacks assume to write NS records. */
  readonly dnsRecordsRoleName: string;
  readonly infrastructures: readonly Infrastructure[];
  readonly postmarkAccounts: readonly PostmarkAccount[];
  readonly partitions: readonly Partition[];
  readonly corporate: Corporate;
  readonly instanceGroups: { readonly corporate: InstanceGroup; readonly runtimePlatform: InstanceGroup };
  /** File (relative to the repository root) whose `context` holds the register output. */
  readonly contextFile: string;
  /**
   * Source address of our Postmark provider in the stacks' required_providers, when it is not
   * `arda-cards/postmark` (the local build): e.g. `app.terraform.io/<org>/postmark` once it is
   * published to the HCP Terraform private registry (providers/postmark/README.md "Publishing").
   */
  readonly postmarkProviderSource?: string;
}
