import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Crash-safe file replacement and a cross-process lock, shared by the context store, the file
 * secret store and the platform-model edits (`backend set`). A crash at any point leaves either the
 * old file or the new one — never a half-written file (temp file in the same directory + fsync +
 * rename + directory fsync).
 */
export function writeFileAtomic(file: string, content: string, mode = 0o644): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx", mode);
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new FileWriteError(file, e as NodeJS.ErrnoException);
  }
  // The rename is durable only once the directory entry is on disk.
  try {
    const dfd = fs.openSync(dir, "r");
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* some filesystems refuse fsync on a directory; the rename itself already happened */
  }
}

export class FileWriteError extends Error {
  constructor(readonly file: string, readonly cause: NodeJS.ErrnoException) {
    super(`cannot write ${file}: ${cause.code ?? ""} ${cause.message}`.replace(/\s+/g, " ").trim());
    this.name = "FileWriteError";
  }
}

export interface LockOptions {
  /** Give up waiting after this long (ms). */
  timeoutMs?: number;
  /** A lock older than this whose owner is gone (or that is simply this old) is stale. */
  staleMs?: number;
}

/**
 * Run `fn` while holding `<file>.lock`, created with O_EXCL so exactly one process wins. The lock
 * records its owner's pid; a lock whose owner no longer runs (a crashed `register`) or that is older
 * than `staleMs` is removed, so a crash never blocks the next run forever.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const staleMs = opts.staleMs ?? 60_000;
  const started = Date.now();
  let delay = 5;
  for (;;) {
    try {
      const fd = fs.openSync(lock, "wx", 0o644);
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
      fs.closeSync(fd);
      break;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== "EEXIST") throw new FileWriteError(lock, err);
      if (isStale(lock, staleMs)) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(`${file} is locked by another arda-mail process (${lock}); wait for it to finish, or delete the lock file if no arda-mail process is running`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function isStale(lock: string, staleMs: number): boolean {
  try {
    const stat = fs.statSync(lock);
    if (Date.now() - stat.mtimeMs > staleMs) return true;
    const owner = JSON.parse(fs.readFileSync(lock, "utf8")) as { pid?: number };
    if (typeof owner.pid !== "number") return false;
    try {
      process.kill(owner.pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  } catch {
    // Half-written lock (owner died between open and write) or already gone: let the next round decide.
    return false;
  }
}
