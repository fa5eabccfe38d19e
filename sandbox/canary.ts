import * as fs from "node:fs";
import * as path from "node:path";

/** Every regular file under `dir` as text (sockets and the like skipped), for canary-secret checks. */
export function regularFilesText(dir: string, except: readonly string[] = []): string {
  let all = "";
  if (!fs.existsSync(dir)) return all;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (except.includes(p)) continue;
    if (entry.isDirectory()) all += regularFilesText(p, except);
    else if (entry.isFile()) all += fs.readFileSync(p, "latin1");
  }
  return all;
}
