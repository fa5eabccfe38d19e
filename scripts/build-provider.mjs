// Placeholder until the provider build lands (owner: provider work). Writes nothing.
console.error("build-provider: provider not built yet");
