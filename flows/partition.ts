import type { Partition, Platform } from "../platform/model";
import { findPartition } from "../platform/names";
import { FlowError } from "./errors";

/**
 * The partition an operator named, or a flow error carrying the model's own reason:
 * unknown infrastructure or partition, reserved name, suspended, wrong account.
 */
export function partitionOrFail(platform: Platform, infra: string, name: string): Partition {
  try {
    return findPartition(platform, infra, name);
  } catch (e) {
    throw new FlowError((e as Error).message, `check the names against platform/${platform.name}.platform.json (\`arda-mail backend list\` shows the infrastructures)`);
  }
}
