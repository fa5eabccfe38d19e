import { stateRootFromEnvironment } from "./state-backend";

describe("ARDA_MAIL_STATE_ROOT", () => {
  it("is an absolute directory path, or unset", () => {
    expect(stateRootFromEnvironment({})).toBeUndefined();
    expect(stateRootFromEnvironment({ ARDA_MAIL_STATE_ROOT: "" })).toBeUndefined();
    expect(stateRootFromEnvironment({ ARDA_MAIL_STATE_ROOT: "/tmp/rehearsal/state-root/" })).toBe("/tmp/rehearsal/state-root");
  });

  it("refuses a relative path or control characters, naming the variable", () => {
    expect(() => stateRootFromEnvironment({ ARDA_MAIL_STATE_ROOT: "state-root" })).toThrow('ARDA_MAIL_STATE_ROOT "state-root" is not an absolute directory path');
    expect(() => stateRootFromEnvironment({ ARDA_MAIL_STATE_ROOT: "/tmp/x\ny" })).toThrow('ARDA_MAIL_STATE_ROOT "/tmp/x\\ny" is not an absolute directory path');
  });
});
