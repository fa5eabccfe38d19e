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
    // A replaced file keeps its mode (an operator's read-only 0444 stays 0444); `mode` is for new files.
    const keep = existingMode(file);
    fd = fs.openSync(tmp, "wx", 0o600);
    fs.writeSync(fd, content);
    fs.fchmodSync(fd, keep ?? mode);
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

/** Permission bits of an existing regular file; undefined when absent. A directory is refused. */
function existingMode(file: string): number | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
  return st.mode & 0o7777;
}

/** What a filesystem error code means, in words (raw codes like EISDIR are never shown alone). */
export function describeFsError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT":
      return "does not exist (or its directory does not)";
    case "EISDIR":
      return "is a directory, not a file";
    case "ENOTDIR":
      return "has a path component that is a file, not a directory";
    case "EEXIST":
      return "already exists";
    case "EACCES":
    case "EPERM":
      return "is not accessible: permission denied";
    case "EROFS":
      return "is on a read-only file system";
    case "ENOSPC":
      return "cannot be written: no space left on the device";
    default:
      return `cannot be accessed: ${e.message}`;
  }
}

export class FileWriteError extends Error {
  constructor(
    readonly file: string,
    readonly cause: NodeJS.ErrnoException,
  ) {
    super(`cannot write ${file}: it ${describeFsError(cause)}${cause.code ? ` (${cause.code})` : ""}`);
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
 * records its owner's pid and a random token; a lock whose owner no longer runs (a crashed
 * `register`) or that is older than `staleMs` is broken, so a crash never blocks the next run
 * forever. Breaking happens under a second O_EXCL lock with the staleness checked again inside it:
 * otherwise two waiters that both judged the same lock stale could each delete one — the second
 * deleting the fresh lock the first had just taken — and both would write (a lost update seen in
 * CI). Release deletes the lock only while it still carries this holder's token.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const staleMs = opts.staleMs ?? 60_000;
  const token = randomBytes(8).toString("hex");
  const started = Date.now();
  let delay = 5;
  for (;;) {
    try {
      const fd = fs.openSync(lock, "wx", 0o644);
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, token, at: new Date().toISOString() }));
      fs.closeSync(fd);
      break;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== "EEXIST") throw new FileWriteError(lock, err);
      if (isDirectory(lock)) throw new Error(`cannot lock ${file}: ${lock} is a directory, not a lock file; remove it`);
      if (breakIfStale(lock, staleMs)) continue;
      if (Date.now() - started > timeoutMs) throw new LockHeldError(file, lock, readLockOwner(lock));
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await fn();
  } finally {
    if (readLockOwner(lock)?.token === token) fs.rmSync(lock, { force: true });
  }
}

/** The lock stayed held past the wait; names the live holder when the lock file says who it is. */
export class LockHeldError extends Error {
  constructor(
    readonly file: string,
    readonly lock: string,
    readonly owner?: { pid?: number; at?: string },
  ) {
    const who = typeof owner?.pid === "number" ? `arda-mail process ${owner.pid}${owner.at ? ` (holding it since ${owner.at})` : ""}` : "another arda-mail process";
    super(`${file} is locked by ${who} (${lock}); wait for it to finish, or delete the lock file if that process is not an arda-mail run`);
    this.name = "LockHeldError";
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A breaker lock older than this was left by a process that died while breaking; it is removed. */
const BREAKER_STALE_MS = 5_000;

/** Delete `lock` if it is stale, deciding and deleting while holding `<lock>.break`. */
function breakIfStale(lock: string, staleMs: number): boolean {
  if (!isStale(lock, staleMs)) return false;
  const breaker = `${lock}.break`;
  let fd: number;
  try {
    fd = fs.openSync(breaker, "wx", 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") return false;
    try {
      if (Date.now() - fs.statSync(breaker).mtimeMs > BREAKER_STALE_MS) fs.rmSync(breaker, { force: true });
    } catch {
      /* gone already */
    }
    return false;
  }
  try {
    // Re-check inside: the lock we judged stale may have been broken and re-taken meanwhile.
    if (!isStale(lock, staleMs)) return false;
    fs.rmSync(lock, { force: true });
    return true;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(breaker, { force: true });
  }
}

function readLockOwner(lock: string): { pid?: number; token?: string; at?: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(lock, "utf8")) as { pid?: number; token?: string; at?: string };
  } catch {
    return undefined;
  }
}

function isStale(lock: string, staleMs: number): boolean {
  try {
    const stat = fs.statSync(lock);
    if (Date.now() - stat.mtimeMs > staleMs) return true;
  } catch {
    return false; // already gone: the next round takes it
  }
  const owner = readLockOwner(lock);
  // Half-written lock (owner between open and write) or unreadable: let a later round decide.
  if (typeof owner?.pid !== "number") return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}
