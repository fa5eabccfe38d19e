// CDKTF's Testing matchers (toHaveResourceWithProperties, toBeValidTerraform, …) for every test file.
require("cdktf").Testing.setupJest();
