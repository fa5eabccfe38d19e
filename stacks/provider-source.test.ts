/**
 * The platform model's optional `postmarkProviderSource` (issue 13): unset, the stacks require
 * `arda-cards/postmark` (the local build) exactly as before; set, they require the published copy
 * (e.g. the HCP Terraform private registry). A malformed address is a load error.
 */
import { Testing } from "cdktf";
import { partitionMailEntry } from "../platform/mail-context";
import { findPartition } from "../platform/names";
import type { Platform } from "../platform/model";
import { PartitionEmailStack } from "./partition-email-stack";
import { SANDBOX_CONTEXT_FILE, sandboxContext, sandboxPlatform, synthJson } from "../testing/stacks";

function requiredPostmark(platform: Platform): unknown {
  const p = findPartition(platform, "Alpha002", "dev");
  const entry = partitionMailEntry(platform, p, sandboxContext(), SANDBOX_CONTEXT_FILE);
  return synthJson(new PartitionEmailStack(Testing.app(), platform, p, { kind: "context", entry })).terraform.required_providers.postmark;
}

test("default: the local build's address, unchanged", () => {
  expect(sandboxPlatform().postmarkProviderSource).toBeUndefined();
  expect(requiredPostmark(sandboxPlatform())).toEqual({ source: "arda-cards/postmark", version: "0.1.0" });
});

test("set: the stacks require the provider from that address, same version", () => {
  const platform = sandboxPlatform((raw) => (raw.postmarkProviderSource = "app.terraform.io/arda/postmark"));
  expect(requiredPostmark(platform)).toEqual({ source: "app.terraform.io/arda/postmark", version: "0.1.0" });
});

const NOT_A_SOURCE = 'is not a provider source address "[<host>/]<namespace>/postmark" (e.g. "app.terraform.io/arda/postmark")';
test.each([
  ["app.terraform.io/arda/aws", `postmarkProviderSource: "app.terraform.io/arda/aws" ${NOT_A_SOURCE}`],
  ["https://app.terraform.io/arda/postmark", `postmarkProviderSource: "https://app.terraform.io/arda/postmark" ${NOT_A_SOURCE}`],
  ['arda/postmark"; injected', `postmarkProviderSource: "arda/postmark\\"; injected" ${NOT_A_SOURCE}`],
  ["", "postmarkProviderSource: must not be empty (leave it out to use the local build, arda-cards/postmark)"],
  [42, "postmarkProviderSource: must be a string (got the number 42)"],
])("a malformed source %p is rejected when the model loads", (bad, message) => {
  expect(() => sandboxPlatform((raw) => (raw.postmarkProviderSource = bad))).toThrow(message);
});
