/**
 * Redaction: the one place that decides how a secret may be mentioned. A secret is never printed;
 * where an operator must recognise one, they see its first 4 characters and its length.
 */
export function redact(secret: string | undefined | null): string {
  if (secret === undefined || secret === null || secret.length === 0) return "<empty>";
  const shown = secret.length >= 12 ? secret.slice(0, 4) : "";
  return `${shown}…(${secret.length} chars)`;
}

/**
 * Remove every occurrence of the given secret values from a text (error messages, child-process
 * output) before it reaches a terminal, a log or a file.
 */
export function scrub(text: string, secrets: Iterable<string | undefined | null>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join(redact(s));
  }
  return out;
}
