import { decodeResponse, encodeQuery, parseServer, TYPE_NS } from "./wire";

/** A referral as a parent server sends it: header, the question, then NS records in the authority section (compressed). */
function referral(id: number, flags: number): Buffer {
  const q = encodeQuery(id, "dev.ardamails.com", TYPE_NS);
  const header = Buffer.from(q.subarray(0, 12));
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(2, 8); // NSCOUNT
  const question = q.subarray(12);
  const ns = (target: string): Buffer => {
    const labels = Buffer.concat([...target.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
    const rr = Buffer.alloc(10);
    rr.writeUInt16BE(TYPE_NS, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt32BE(172800, 4);
    rr.writeUInt16BE(labels.length, 8);
    return Buffer.concat([Buffer.from([0xc0, 12]), rr, labels]); // owner: pointer to the question name
  };
  return Buffer.concat([header, question, ns("NS-1.Example.test"), ns("ns-2.example.test")]);
}

describe("dns-wire", () => {
  it("reads a referral: not authoritative, NS in the authority section, names lower-cased, compression followed", () => {
    const r = decodeResponse(referral(7, 0x8000), 7);
    expect(r).toEqual({
      rcode: 0,
      authoritative: false,
      answer: [],
      authority: [
        { name: "dev.ardamails.com", type: TYPE_NS, data: "ns-1.example.test" },
        { name: "dev.ardamails.com", type: TYPE_NS, data: "ns-2.example.test" },
      ],
    });
  });

  it("asks without recursion", () => {
    expect(encodeQuery(1, "dev.ardamails.com.", TYPE_NS).readUInt16BE(2) & 0x0100).toBe(0);
  });

  it("refuses a truncated answer, an answer to another query, and a cut-off record", () => {
    expect(() => decodeResponse(referral(7, 0x8200), 7)).toThrow("DNS answer truncated (TC): too many name servers for UDP");
    expect(() => decodeResponse(referral(7, 0x8000), 8)).toThrow("DNS answer for another query (id mismatch)");
    const whole = referral(7, 0x8000);
    expect(() => decodeResponse(whole.subarray(0, whole.length - 5), 7)).toThrow(/^DNS answer truncated inside a (record|name)$/);
  });

  it("refuses a compression loop", () => {
    const m = referral(7, 0x8000);
    m.writeUInt16BE(1, 8);
    const loop = Buffer.concat([m.subarray(0, 12 + 23), Buffer.from([0xc0, 12 + 23])]);
    expect(() => decodeResponse(loop, 7)).toThrow("DNS answer has a compression loop");
  });

  it("parses server addresses with and without a port", () => {
    expect(parseServer("127.0.0.1:5353")).toEqual({ host: "127.0.0.1", port: 5353, family: "udp4" });
    expect(parseServer("10.0.0.2")).toEqual({ host: "10.0.0.2", port: 53, family: "udp4" });
    expect(parseServer("[::1]:53")).toEqual({ host: "::1", port: 53, family: "udp6" });
    expect(() => parseServer("ns1.example")).toThrow('"ns1.example": expected <ip>:<port> or <ip> (e.g. 127.0.0.1:5353)');
  });
});
