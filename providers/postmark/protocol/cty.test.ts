import { containsUnknown, decodeMsgpack, encodeMsgpack, fromDynamic, toDynamic, Unknown, UNKNOWN } from "./cty";

describe("cty msgpack codec", () => {
  test("known values round-trip", () => {
    const v = { name: "dev.ardamails.com", n: 3, ok: true, none: null, tags: { a: "b" } };
    expect(decodeMsgpack(encodeMsgpack(v))).toEqual(v);
  });

  test("a planned unknown is cty's unknown: fixext1, type 0", () => {
    expect(Buffer.from(encodeMsgpack(UNKNOWN)).toString("hex")).toBe("d40000");
  });

  test("unknowns of type 0 and refined unknowns of type 12 decode as Unknown and pass back byte-identical", () => {
    const refined = Buffer.from([0x81, 0xa1, 0x78, 0xd5, 0x0c, 0x01, 0x02]); // {x: ext12 [1,2]}
    const decoded = decodeMsgpack(refined) as { x: Unknown };
    expect(decoded.x).toBeInstanceOf(Unknown);
    expect(decoded.x.extType).toBe(12);
    expect(containsUnknown(decoded)).toBe(true);
    expect(Buffer.from(encodeMsgpack(decoded)).equals(refined)).toBe(true);
    const plain = decodeMsgpack(Buffer.from("d40000", "hex"));
    expect(plain).toBeInstanceOf(Unknown);
  });

  test("DynamicValue: msgpack preferred, JSON accepted, empty is null", () => {
    expect(fromDynamic(toDynamic({ a: "b" }))).toEqual({ a: "b" });
    expect(fromDynamic({ json: Buffer.from('{"a":1}') })).toEqual({ a: 1 });
    expect(fromDynamic({})).toBeNull();
    expect(fromDynamic(undefined)).toBeNull();
  });
});
