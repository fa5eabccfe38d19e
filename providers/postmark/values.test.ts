import { parseDuration } from "./values";

describe("parseDuration", () => {
  test.each([
    ["10m", 600_000],
    ["30s", 30_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5s", 1500],
  ])("%s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(["", "10", "ten minutes", "10x", "m10", "5m junk"])("rejects %j with a message that shows the form", (text) => {
    expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration: use a number with a unit, e.g. "30s", "10m", "1h30m"`);
  });
});
