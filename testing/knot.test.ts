import { knotAvailable } from "./knot";

describe("knotAvailable", () => {
  it("runs the test where knotd is installed", () => {
    expect(knotAvailable(() => "/usr/sbin/knotd", { CI: "true" })).toBe(true);
  });
  it("skips on a developer machine without knotd", () => {
    expect(knotAvailable(() => undefined, {})).toBe(false);
  });
  it("fails in CI without knotd, naming the install step", () => {
    expect(() => knotAvailable(() => undefined, { CI: "true" })).toThrow(/knotd is not installed but CI is set: scripts\/install-system-deps\.sh/);
  });
});
