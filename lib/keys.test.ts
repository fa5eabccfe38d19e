import { appendKey, newKeyEntry, parseRegistry, serializeRegistry } from "./keys";

const b64 = (n: number): string => Buffer.alloc(n, 7).toString("base64");
const ID1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
const ID2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

describe("key registry validation (DQ-R1-032)", () => {
  test.each([
    ["not JSON", "{oops", "registry is not valid JSON"],
    ["an array", "[]", "registry must be a JSON object"],
    ["empty", "{}", "registry is empty"],
    ["a non-UUID key", JSON.stringify({ [ID1]: b64(64), "key-2": b64(64) }), 'registry entry #2 "key-2": key is not a UUID (8-4-4-4-12 lower-case hex digits)'],
    ["an upper-case UUID key", JSON.stringify({ [ID1.toUpperCase()]: b64(64) }), `registry entry #1 "${ID1.toUpperCase()}": key is an upper-case UUID; registry ids are lower-case`],
    ["a UUID with braces", JSON.stringify({ [`{${ID1}}`]: b64(64) }), `registry entry #1 "{${ID1}}": key is not a UUID`],
    [
      "2,001 entries (spawn E2BIG before)",
      JSON.stringify(Object.fromEntries(Array.from({ length: 2001 }, () => newKeyEntry()))),
      /^registry is 26\d,\d{3} bytes; at most 65,536 deploy \(the Secrets Manager limit, about 504 entries\)$/,
    ],
    ["48 bytes", JSON.stringify({ [ID1]: b64(64), [ID2]: b64(48) }), `registry entry #2 "${ID2}": value decodes to 48 bytes, expected exactly 64`],
    ["64 characters instead of 64 bytes", JSON.stringify({ [ID1]: "a".repeat(64) }), `registry entry #1 "${ID1}": value decodes to 48 bytes`],
    ["not base64", JSON.stringify({ [ID1]: "!!!!" }), `registry entry #1 "${ID1}": value is not standard base64`],
    ["a number value", JSON.stringify({ [ID1]: 5 }), `registry entry #1 "${ID1}": value must be a base64 string`],
    ["a duplicate key", `{"${ID1}": "${b64(64)}", "${ID1}": "${Buffer.alloc(64, 9).toString("base64")}"}`, `registry entry "${ID1}" appears more than once`],
    ["a duplicate value", JSON.stringify({ [ID1]: b64(64), [ID2]: b64(64) }), `registry entry #2 "${ID2}": same key material as an earlier entry`],
  ])("rejects %s, naming the first bad entry", (_what, text, message) => {
    expect(() => parseRegistry(text)).toThrow(message);
  });

  test("any UUID version is an id (DQ-R1-032 says UUID, not v4): v1 and v7 ids are accepted", () => {
    const text = JSON.stringify({ "c232ab00-9414-11ec-b3c8-9f6bdeced846": b64(64), "01890a5d-ac96-774b-bcce-b302099a8057": Buffer.alloc(64, 8).toString("base64") });
    expect(Object.keys(parseRegistry(text))).toHaveLength(2);
  });

  test("a registry just under the size bound is accepted (what keys check accepts, deploy can carry)", () => {
    const entries = Array.from({ length: 504 }, () => newKeyEntry());
    const text = JSON.stringify(Object.fromEntries(entries));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(65_536);
    expect(Object.keys(parseRegistry(text))).toHaveLength(504);
  });

  test("messages never contain key material", () => {
    const secret = Buffer.alloc(48, 3).toString("base64");
    try {
      parseRegistry(JSON.stringify({ [ID1]: secret }));
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
  });

  test("new entries: UUID v4 + 64 random bytes; append keeps order, newest last", () => {
    const first = Object.fromEntries([newKeyEntry()]);
    const two = appendKey(first);
    const three = appendKey(two);
    expect(Object.keys(three).slice(0, 2)).toEqual(Object.keys(two));
    expect(parseRegistry(serializeRegistry(three))).toEqual(three);
    expect(new Set(Object.values(three)).size).toBe(3);
  });
});
