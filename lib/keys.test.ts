import { appendKey, newKeyEntry, parseRegistry, serializeRegistry } from "./keys";

const b64 = (n: number): string => Buffer.alloc(n, 7).toString("base64");
const ID1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
const ID2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

describe("key registry validation (DQ-R1-032)", () => {
  test.each([
    ["not JSON", "{oops", "registry is not valid JSON"],
    ["an array", "[]", "registry must be a JSON object"],
    ["empty", "{}", "registry is empty"],
    ["a non-UUID key", JSON.stringify({ [ID1]: b64(64), "key-2": b64(64) }), 'registry entry #2 "key-2": key is not a UUID v4'],
    ["a UUID v1 key", JSON.stringify({ "c232ab00-9414-11ec-b3c8-9f6bdeced846": b64(64) }), 'registry entry #1 "c232ab00-9414-11ec-b3c8-9f6bdeced846": key is not a UUID v4'],
    ["48 bytes", JSON.stringify({ [ID1]: b64(64), [ID2]: b64(48) }), `registry entry #2 "${ID2}": value decodes to 48 bytes, expected exactly 64`],
    ["64 characters instead of 64 bytes", JSON.stringify({ [ID1]: "a".repeat(64) }), `registry entry #1 "${ID1}": value decodes to 48 bytes`],
    ["not base64", JSON.stringify({ [ID1]: "!!!!" }), `registry entry #1 "${ID1}": value is not standard base64`],
    ["a number value", JSON.stringify({ [ID1]: 5 }), `registry entry #1 "${ID1}": value must be a base64 string`],
    ["a duplicate key", `{"${ID1}": "${b64(64)}", "${ID1}": "${Buffer.alloc(64, 9).toString("base64")}"}`, `registry entry "${ID1}" appears more than once`],
    ["a duplicate value", JSON.stringify({ [ID1]: b64(64), [ID2]: b64(64) }), `registry entry #2 "${ID2}": same key material as an earlier entry`],
  ])("rejects %s, naming the first bad entry", (_what, text, message) => {
    expect(() => parseRegistry(text)).toThrow(message);
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
