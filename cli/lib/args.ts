import { Args } from "@oclif/core";

/** `<infrastructure> <partition>`, the way every partition command names its target. */
export const partitionArgs = {
  infrastructure: Args.string({ description: "AWS account name, e.g. Alpha002", required: true }),
  partition: Args.string({ description: "partition name, e.g. dev", required: true }),
};

export { partitionOrFail } from "../../flows/partition";
