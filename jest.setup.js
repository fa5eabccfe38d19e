// CDKTF's Testing matchers (toHaveResourceWithProperties, toBeValidTerraform, …) for every test file.
require("cdktf").Testing.setupJest();

// oclif 4 probes WSL with a dynamic import(), which jest's VM refuses without
// --experimental-vm-modules: every test that runs a command in-process gets the platform directly.
// (By file path: the package's `exports` hide lib/util/os.js from a bare specifier.)
const oclifOs = require("node:path").join(__dirname, "node_modules/@oclif/core/lib/util/os.js");
jest.mock(oclifOs, () => ({ ...jest.requireActual(oclifOs), getPlatform: async () => process.platform }));
