/** How an injected fault shapes the sandbox's answer (drop, verbatim answer, status) and how it is named in logs. */
import type { ServerResponse } from "node:http";
import type { ActiveFault } from "./faults";
import { send } from "./http";

export function applyFault(f: ActiveFault, res: ServerResponse, record: () => void, log?: (line: string) => void): void {
  record();
  log?.(`fault ${describeFault(f)}`);
  if (f.kind === "drop") {
    res.socket?.destroy();
    return;
  }
  if (f.kind === "answer") {
    const text = f.body ?? "";
    res.writeHead(f.status ?? 200, { ...f.headers, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const message = f.status === 429 ? "Rate limit exceeded (sandbox fault)." : `Sandbox injected HTTP ${f.status}.`;
  send(res, f.status ?? 503, { ErrorCode: f.errorCode ?? 0, Message: message });
}

export function describeFault(f: ActiveFault): string {
  const scope = `${f.method ?? "*"} ${f.pathPrefix ?? "*"}`;
  if (f.kind === "status") return `status ${f.status} ${f.phase} [${scope}]`;
  if (f.kind === "delay") return `delay ${f.delayMs}ms ${f.phase} [${scope}]`;
  if (f.kind === "answer") return `answer ${f.status} ${f.phase} [${scope}]`;
  return `drop ${f.phase} [${scope}]`;
}
