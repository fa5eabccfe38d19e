/**
 * The tfplugin6 message types. The bundled provider carries them as a precompiled JSON descriptor
 * (the build converts tfplugin6.proto once), so start-up never parses .proto text; tests running
 * from source parse the .proto file instead.
 */
import * as protobuf from "protobufjs/light";

/** Set by the esbuild build (scripts/build-provider.mjs) to the descriptor's JSON. */
declare const __TFPLUGIN6_DESCRIPTOR__: protobuf.INamespace;
/** `true` in the bundle, so esbuild drops the source-only branch (and full protobufjs with it). */
declare const __TFPLUGIN6_BUNDLED__: boolean;

let root: protobuf.Root | undefined;

export function tfplugin6Root(): protobuf.Root {
  if (root) return root;
  if (typeof __TFPLUGIN6_BUNDLED__ !== "undefined" && __TFPLUGIN6_BUNDLED__) {
    root = protobuf.Root.fromJSON(__TFPLUGIN6_DESCRIPTOR__);
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    root = (require("./proto-source") as typeof import("./proto-source")).parseTfplugin6();
  }
  return root;
}
