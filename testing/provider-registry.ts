/**
 * Test stand-in for a Terraform provider registry (the provider registry protocol that the public
 * registry and HCP Terraform's private registry speak): service discovery, providers.v1 versions
 * and download endpoints with the signing key, and the release files themselves — over HTTPS on
 * loopback with a certificate from a throwaway CA (openssl), which Terraform trusts through
 * SSL_CERT_FILE. It serves a release directory as `npm run release:provider` writes it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export interface TestCa {
  /** PEM file Terraform should trust (SSL_CERT_FILE). */
  caFile: string;
  keyPem: string;
  certPem: string;
}

/** A CA and a leaf for localhost / 127.0.0.1 signed by it, made with openssl in `dir`. */
export function makeTestCa(dir: string): TestCa {
  const f = (n: string): string => path.join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: "ignore" });
  ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "1", "-subj", "/CN=arda-mail test CA");
  ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("leaf.key"), "-out", f("leaf.csr"), "-subj", "/CN=localhost");
  fs.writeFileSync(f("leaf.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  ssl("x509", "-req", "-in", f("leaf.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("leaf.pem"), "-days", "1", "-extfile", f("leaf.ext"));
  return { caFile: f("ca.pem"), keyPem: fs.readFileSync(f("leaf.key"), "utf8"), certPem: fs.readFileSync(f("leaf.pem"), "utf8") };
}

export interface RegistryRelease {
  namespace: string;
  type: string;
  version: string;
  /** Directory holding <prefix>_linux_amd64.zip, _SHA256SUMS, _SHA256SUMS.sig, _manifest.json, _signing-key.asc. */
  dir: string;
  keyId: string;
  /** What the download endpoint claims as the zip's sha256 (defaults to the hash in SHA256SUMS). */
  shasum?: string;
}

export interface RunningRegistry {
  /** e.g. `localhost:43123` — the host part of the provider source address. */
  host: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startProviderRegistry(ca: TestCa, release: RegistryRelease): Promise<RunningRegistry> {
  const prefix = `terraform-provider-${release.type}_${release.version}`;
  const files = new Set(fs.readdirSync(release.dir));
  const sums = fs.readFileSync(path.join(release.dir, `${prefix}_SHA256SUMS`), "utf8");
  const zipName = `${prefix}_linux_amd64.zip`;
  const shasum = release.shasum ?? /^([0-9a-f]{64}) {2}(.+)$/gm.exec(sums.split("\n").find((l) => l.endsWith(zipName)) ?? "")?.[1] ?? "";
  const requests: string[] = [];
  let base = "";
  const base_ = `/v1/providers/${release.namespace}/${release.type}`;
  const server = https.createServer({ key: ca.keyPem, cert: ca.certPem }, (req, res) => {
    const url = req.url ?? "";
    requests.push(url);
    const json = (body: unknown): void => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url === "/.well-known/terraform.json") return json({ "providers.v1": "/v1/providers/" });
    if (url === `${base_}/versions`) return json({ versions: [{ version: release.version, protocols: ["6.0"], platforms: [{ os: "linux", arch: "amd64" }] }] });
    if (url === `${base_}/${release.version}/download/linux/amd64`) {
      return json({
        protocols: ["6.0"],
        os: "linux",
        arch: "amd64",
        filename: zipName,
        download_url: `${base}/files/${zipName}`,
        shasums_url: `${base}/files/${prefix}_SHA256SUMS`,
        shasums_signature_url: `${base}/files/${prefix}_SHA256SUMS.sig`,
        shasum,
        signing_keys: {
          gpg_public_keys: [
            { key_id: release.keyId, ascii_armor: fs.readFileSync(path.join(release.dir, `${prefix}_signing-key.asc`), "utf8"), trust_signature: "", source: "Arda", source_url: null },
          ],
        },
      });
    }
    const m = /^\/files\/([A-Za-z0-9._-]+)$/.exec(url);
    if (m && files.has(m[1])) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      fs.createReadStream(path.join(release.dir, m[1])).pipe(res);
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: ["Not Found"] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `localhost:${(server.address() as AddressInfo).port}`;
  base = `https://${host}`;
  return {
    host,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
