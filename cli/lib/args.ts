import { Args } from "@oclif/core";
import type { Partition, Platform } from "../../platform/model";
import { findPartition } from "../../platform/names";
import { CliError } from "./errors";

/** `<infrastructure> <partition>`, the way every partition command names its target. */
export const partitionArgs = {
  infrastructure: Args.string({ description: "AWS account name, e.g. Alpha002", required: true }),
  partition: Args.string({ description: "partition name, e.g. dev", required: true }),
};

/**
 * The partition an operator named, or an operator error carrying the model's own reason:
 * unknown infrastructure or partition, reserved name, suspended, wrong account.
 */
export function partitionOrFail(platform: Platform, infra: string, name: string): Partition {
  try {
    return findPartition(platform, infra, name);
  } catch (e) {
    throw new CliError((e as Error).message, `check the names against platform/${platform.name}.platform.json (\`arda-mail backend list\` shows the infrastructures)`);
  }
}
