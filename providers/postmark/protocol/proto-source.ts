/** Parses tfplugin6.proto from source: used by tests and by the build to produce the JSON descriptor. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as protobuf from "protobufjs";

export const PROTO_FILE = path.join(__dirname, "tfplugin6.proto");

export function parseTfplugin6(file: string = PROTO_FILE): protobuf.Root {
  return protobuf.parse(fs.readFileSync(file, "utf8"), { keepCase: true }).root;
}
