/**
 * The one escape of a model or context value on its way into Terraform.
 *
 * Terraform reads every string argument of a resource, data source, provider, dynamic block or
 * import block as a template: `${…}` interpolates and `%{…}` runs a directive — a value such as
 * `${file("/etc/hostname")}` in a context file would copy a local file into public DNS. Escaping
 * `${` as `$${` and `%{` as `%%{` makes Terraform read the value verbatim.
 *
 * Apply it to a literal before it is joined with any CDKTF reference (a reference is itself `${…}`
 * and must stay live). Do not apply it where Terraform reads literals already — a variable's
 * `default` and a backend block's arguments are not templates, so an escape there would survive
 * as `$${`.
 */
export function terraformLiteral(value: string): string {
  // CDKTF resolves its own token markers inside any string it synthesizes; a value carrying one
  // would be swapped for a reference (or crash synth). The model's shapes refuse it; this is the backstop.
  if (CDKTF_TOKEN_MARKER.test(value)) throw new Error(`refusing to write a value that contains CDKTF's token marker into Terraform: ${JSON.stringify(value.slice(0, 80))}`);
  // A function replacement: in a replacement string `$$` would itself mean "one `$`".
  return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** CDKTF's encodings of an unresolved reference: `${TfToken[TOKEN.<n>]}`, `#{TfToken[…]}` (lists), …. */
export const CDKTF_TOKEN_MARKER = /TfToken\[/;
