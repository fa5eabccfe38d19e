/**
 * Test helper: pack a configuration directory the way Terraform uploads it for a Terraform Cloud
 * CLI-driven run (HashiCorp's go-slug): everything under the directory except `.git/` and
 * `.terraform/` (go-slug's defaults), minus what `.terraformignore` excludes (gitignore-style rules:
 * `#` comments, `!` negation, a trailing `/` for directories, `*` / `**` globs, a leading `/`
 * anchoring at the root); a symlink pointing outside the directory is an error, as in go-slug.
 * The archive is a tar.gz made by `tar` from the resulting file list.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

interface Rule {
  negate: boolean;
  dirOnly: boolean;
  re: RegExp;
}

function globToRegExp(glob: string, anchored: boolean): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`${anchored ? "^" : "(^|/)"}${re}$`);
}

export function parseTerraformignore(text: string): Rule[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      let p = negate ? l.slice(1) : l;
      const dirOnly = p.endsWith("/");
      if (dirOnly) p = p.slice(0, -1);
      const anchored = p.startsWith("/") || p.slice(0, -1).includes("/");
      if (p.startsWith("/")) p = p.slice(1);
      return { negate, dirOnly, re: globToRegExp(p, anchored) };
    });
}

function ignored(rel: string, isDir: boolean, rules: Rule[]): boolean {
  let out = false;
  for (const r of rules) if ((!r.dirOnly || isDir) && r.re.test(rel)) out = !r.negate;
  return out;
}

/** The relative paths (files and symlinks) a CLI-driven run would upload from `dir`. */
export function slugFiles(dir: string): string[] {
  const ignoreFile = path.join(dir, ".terraformignore");
  const rules = fs.existsSync(ignoreFile) ? parseTerraformignore(fs.readFileSync(ignoreFile, "utf8")) : [];
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (r === ".git" || r === ".terraform" || ignored(r, true, rules)) continue;
        walk(r);
      } else if (!ignored(r, false, rules)) {
        if (e.isSymbolicLink()) {
          const target = path.resolve(path.dirname(path.join(dir, r)), fs.readlinkSync(path.join(dir, r)));
          if (!target.startsWith(path.resolve(dir) + path.sep)) throw new Error(`illegal slug: ${r} is a symlink to ${target}, outside the configuration`);
        }
        out.push(r);
      }
    }
  };
  walk("");
  return out.sort();
}

/** Pack `dir` into `archive` (tar.gz) as an upload would; returns the packed paths. */
export function packSlug(dir: string, archive: string): string[] {
  const files = slugFiles(dir);
  const list = `${archive}.list`;
  fs.writeFileSync(list, files.join("\n") + "\n");
  execFileSync("tar", ["-czf", archive, "-C", dir, "--no-recursion", "-T", list]);
  fs.rmSync(list);
  return files;
}

export function unpackSlug(archive: string, into: string): void {
  fs.mkdirSync(into, { recursive: true });
  execFileSync("tar", ["-xzf", archive, "-C", into]);
}
