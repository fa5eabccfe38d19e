import { txtStrings, zonesFromRoute53 } from "./route53-zones";

describe("Route53 record sets → Knot zones", () => {
  it("splits TXT values as Route53 returns them into character-strings", () => {
    expect(txtStrings('"v=spf1 include:spf.mtasv.net -all"')).toEqual(["v=spf1 include:spf.mtasv.net -all"]);
    expect(txtStrings('"k=rsa; p=AAA""BBB"')).toEqual(["k=rsa; p=AAA", "BBB"]);
    expect(txtStrings('"a" "b \\"q\\""')).toEqual(["a", 'b "q"']);
    expect(txtStrings("plain")).toEqual(["plain"]);
    expect(() => txtStrings('"open')).toThrow("TXT value has an unterminated string");
  });

  it("takes the apex NS set as the zone's name servers, keeps delegations, drops SOA", () => {
    const [z] = zonesFromRoute53([
      {
        name: "ardamails.com.",
        recordSets: [
          { name: "ardamails.com.", type: "NS", ttl: 172800, values: ["ns-2048.awsdns-64.com.", "ns-2049.awsdns-65.net."] },
          { name: "ardamails.com.", type: "SOA", ttl: 900, values: ["ns-2048.awsdns-64.com. hostmaster. 1 7200 900 1209600 86400"] },
          { name: "dev.ardamails.com.", type: "NS", ttl: 300, values: ["ns-2048.awsdns-64.com.", "ns-2049.awsdns-65.net."] },
          { name: "ardamails.com.", type: "TXT", ttl: 300, values: ['"v=spf1 -all"'] },
        ],
      },
    ]);
    expect(z.nameServers).toEqual(["ns-2048.awsdns-64.com", "ns-2049.awsdns-65.net"]);
    expect(z.records).toEqual([
      { name: "dev.ardamails.com", type: "NS", ttl: 300, values: ["ns-2048.awsdns-64.com", "ns-2049.awsdns-65.net"] },
      { name: "ardamails.com", type: "TXT", ttl: 300, values: [["v=spf1 -all"]] },
    ]);
    expect(() => zonesFromRoute53([{ name: "x.test", recordSets: [] }])).toThrow("Route53 zone x.test has no NS record set at its apex");
  });
});
