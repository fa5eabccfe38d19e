// Placeholder until the provider bindings land (owner: provider work).
console.error("bindings: no provider bindings yet");
