// `npm run release:provider [-- --out <dir>]`: the provider release in the layout HashiCorp's
// registries (public registry, HCP Terraform private registry) and GoReleaser use, under
// build/release/ by default:
//   terraform-provider-postmark_<v>_linux_amd64.zip    the executable from build/terraform-mirror
//   terraform-provider-postmark_<v>_manifest.json      {"version":1,"metadata":{"protocol_versions":["6.0"]}}
//   terraform-provider-postmark_<v>_SHA256SUMS         sha256 of the zip and the manifest
//   terraform-provider-postmark_<v>_SHA256SUMS.sig     detached binary GPG signature of SHA256SUMS
//   terraform-provider-postmark_<v>_signing-key.asc    the public key (upload it to the registry once)
// The signing key comes from the environment, never a file in the repository or argv:
//   ARDA_MAIL_RELEASE_GPG_KEY         ASCII-armored PRIVATE key (e.g. from 1Password in the release job)
//   ARDA_MAIL_RELEASE_GPG_PASSPHRASE  its passphrase, if it has one (handed to gpg on a pipe)
// gpg runs in a throwaway GNUPGHOME, so the operator's own keyring is neither used nor changed.
// The executable is the one the mirror and all tests use (built first if missing). The zip is
// deterministic (fixed timestamps) for a given executable.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NAME = "terraform-provider-postmark";
const { version } = JSON.parse(fs.readFileSync(path.join(root, "providers/postmark/package.json"), "utf8"));
const outIndex = process.argv.indexOf("--out");
const outDir = outIndex > 0 ? path.resolve(process.argv[outIndex + 1] ?? "") : path.join(root, "build/release");

function fail(message) {
  console.error(`release:provider: ${message}`);
  process.exit(1);
}

const key = process.env.ARDA_MAIL_RELEASE_GPG_KEY ?? "";
if (!key.includes("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
  fail("ARDA_MAIL_RELEASE_GPG_KEY must hold the ASCII-armored private signing key. Next: export it (gpg --export-secret-keys --armor <key id>) into that variable from the secret store; see providers/postmark/README.md \"Publishing\".");
}
const exe = path.join(root, `build/terraform-mirror/registry.terraform.io/arda-cards/postmark/${version}/linux_amd64/${NAME}_v${version}`);
if (!fs.existsSync(exe)) {
  const b = spawnSync(process.execPath, [path.join(root, "scripts/build-provider.mjs")], { stdio: "inherit" });
  if (b.status !== 0) fail("building the provider failed");
}

const started = Date.now();
fs.mkdirSync(outDir, { recursive: true });
const prefix = `${NAME}_${version}`;
const zipName = `${prefix}_linux_amd64.zip`;
const manifestName = `${prefix}_manifest.json`;
const sumsName = `${prefix}_SHA256SUMS`;
fs.writeFileSync(path.join(outDir, zipName), zipOne(`${NAME}_v${version}`, fs.readFileSync(exe), 0o755));
fs.writeFileSync(path.join(outDir, manifestName), `${JSON.stringify({ version: 1, metadata: { protocol_versions: ["6.0"] } }, null, 2)}\n`);
const sha = (f) => createHash("sha256").update(fs.readFileSync(path.join(outDir, f))).digest("hex");
fs.writeFileSync(path.join(outDir, sumsName), [zipName, manifestName].map((f) => `${sha(f)}  ${f}\n`).join(""));
const keyId = sign(path.join(outDir, sumsName), path.join(outDir, `${sumsName}.sig`), path.join(outDir, `${prefix}_signing-key.asc`));
console.error(`release:provider: ${path.relative(root, outDir) || outDir}/${prefix}_* (zip ${Math.round(fs.statSync(path.join(outDir, zipName)).size / 1024 / 1024)} MiB, signed by key ${keyId}) in ${Date.now() - started} ms`);

/** Detached binary signature with the key from the environment, in a throwaway GNUPGHOME; returns the key id. */
function sign(file, sigFile, pubFile) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "arda-release-gpg-"));
  try {
    const gpg = (args, input) => {
      const r = spawnSync("gpg", ["--homedir", home, "--batch", "--yes", "--no-tty", ...args], { input, encoding: "utf8", env: { PATH: process.env.PATH ?? "", GNUPGHOME: home } });
      if (r.error) fail(`gpg could not run (${r.error.message}). Next: install GnuPG (bash scripts/install-system-deps.sh).`);
      if (r.status !== 0) fail(`gpg ${args.filter((a) => !a.startsWith("-")).join(" ") || args[0]} failed: ${r.stderr.trim()}`);
      return r.stdout;
    };
    gpg(["--import"], key);
    const secret = gpg(["--list-secret-keys", "--with-colons"]).split("\n").filter((l) => l.startsWith("sec:"));
    if (secret.length !== 1) fail(`ARDA_MAIL_RELEASE_GPG_KEY must hold exactly one secret key (found ${secret.length}).`);
    const keyId = secret[0].split(":")[4];
    const pass = process.env.ARDA_MAIL_RELEASE_GPG_PASSPHRASE;
    const passArgs = pass === undefined ? [] : ["--pinentry-mode", "loopback", "--passphrase-fd", "0"];
    gpg([...passArgs, "--local-user", keyId, "--output", sigFile, "--detach-sign", file], pass === undefined ? "" : `${pass}\n`);
    fs.writeFileSync(pubFile, gpg(["--armor", "--export", keyId]));
    return keyId;
  } finally {
    // gpg starts an agent for the throwaway home; stop it rather than leave a daemon behind.
    spawnSync("gpgconf", ["--homedir", home, "--kill", "all"], { stdio: "ignore", env: { PATH: process.env.PATH ?? "", GNUPGHOME: home } });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** A zip archive holding one file (deflated, unix mode bits kept, timestamps fixed to 1980-01-01). */
function zipOne(name, data, mode) {
  const nameBuf = Buffer.from(name, "utf8");
  const body = zlib.deflateRawSync(data, { level: 6 });
  const crc = zlib.crc32(data);
  const DOS_TIME = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  // The local header and the central directory entry repeat the same 24 bytes (version needed …
  // name length); the central one has "made by" in front, so they sit 2 bytes further on.
  const common = (buf, at) => {
    buf.writeUInt16LE(20, at); // version needed
    buf.writeUInt16LE(0x0800, at + 2); // UTF-8 names
    buf.writeUInt16LE(8, at + 4); // deflate
    buf.writeUInt16LE(DOS_TIME, at + 6);
    buf.writeUInt16LE(DOS_DATE, at + 8);
    buf.writeUInt32LE(crc, at + 10);
    buf.writeUInt32LE(body.length, at + 14);
    buf.writeUInt32LE(data.length, at + 18);
    buf.writeUInt16LE(nameBuf.length, at + 22);
  };
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  common(local, 4);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by: unix, so the external attributes carry the mode
  common(central, 6);
  central.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38); // regular file + mode
  central.writeUInt32LE(0, 42); // local header offset
  const centralOffset = local.length + nameBuf.length + body.length;
  const centralSize = central.length + nameBuf.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBuf, body, central, nameBuf, end]);
}
