// Placeholder until the CLI lands (owner: CLI work).
console.error("cli-manifest: no CLI yet");
