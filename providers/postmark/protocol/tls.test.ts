import * as crypto from "node:crypto";
import { selfSignedIdentity } from "./tls";

describe("AutoMTLS server identity", () => {
  test("every generated certificate parses, is self-signed for DNS:localhost and matches the handshake form", () => {
    // Many rounds: a DER encoding slip (e.g. a non-minimal serial) shows up only for some random values.
    for (let i = 0; i < 300; i++) {
      const id = selfSignedIdentity();
      const cert = new crypto.X509Certificate(id.certPem);
      expect(cert.subjectAltName).toBe("DNS:localhost");
      expect(cert.ca).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(cert.checkHost("localhost")).toBe("localhost");
      expect(id.handshakeCert).not.toMatch(/=$/);
      expect(Buffer.from(id.handshakeCert, "base64").equals(cert.raw)).toBe(true);
      expect(crypto.createPrivateKey(id.keyPem).asymmetricKeyType).toBe("ec");
    }
  });

  test("the certificate is valid now and for a year", () => {
    const now = new Date();
    const cert = new crypto.X509Certificate(selfSignedIdentity(now).certPem);
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(now.getTime() + 364 * 24 * 3600_000);
  });
});
