/**
 * The encryption-key registry rule (DQ-R1-032), defined once: `arda-mail keys check` and deploy's
 * pre-flight (lib/keys.ts) and the partition stack's Terraform variable validation
 * (constructs/write-only-secret.ts) all read it, so whatever `keys check` accepts deploys.
 *
 * - Entry ids: a UUID (DQ-R1-032 names the consumer's contract "UUID"; not only v4 — `keys rotate`
 *   writes v4, but a registry seeded by other tooling is just as valid), in the canonical lower-case
 *   8-4-4-4-12 form: an upper-case id is refused by both checks, so one version id never has two
 *   spellings.
 * - Values: standard base64 of exactly 64 bytes, i.e. 86 characters and `==`.
 * - Size: the whole JSON text at most 65,536 bytes — the largest value a Secrets Manager secret
 *   holds, and well below Linux's 128 KiB limit on one environment string (the registry reaches
 *   Terraform as TF_VAR_…; a larger one failed with `spawn E2BIG`). About 500 entries.
 *
 * The patterns use only syntax JavaScript and RE2 (Terraform's `regex`) read the same way.
 */
export const REGISTRY_ID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
export const REGISTRY_KEY_BYTES = 64;
export const REGISTRY_VALUE_PATTERN = "^[A-Za-z0-9+/]{86}==$";
export const REGISTRY_MAX_BYTES = 65_536;
/** One entry's serialized size (`"<uuid>":"<88 chars>",`), for the "about N entries" hint. */
export const REGISTRY_ENTRY_BYTES = 130;
