/**
 * Terraform values on the wire: DynamicValue is msgpack in cty's encoding. Unknown values are
 * msgpack extension type 0 (and 12 for a "refined" unknown, e.g. a string with a known prefix);
 * we keep them opaque and pass them back unchanged, and plan new computed values as type-0 unknowns.
 */
import { decode, encode, ExtensionCodec } from "@msgpack/msgpack";

export class Unknown {
  constructor(
    readonly extType: number = 0,
    readonly data: Uint8Array = Uint8Array.of(0),
  ) {}
}

/** A plain unknown (cty encodes it as fixext1, type 0, data 0). */
export const UNKNOWN = new Unknown();

export type CtyValue = null | string | number | boolean | Unknown | CtyValue[] | { [k: string]: CtyValue };
export type CtyObject = { [k: string]: CtyValue };

const codec = new ExtensionCodec();
for (const type of [0, 12]) {
  codec.register({
    type,
    encode: (v: unknown) => (v instanceof Unknown && v.extType === type ? v.data : null),
    decode: (data: Uint8Array) => new Unknown(type, data.slice()),
  });
}

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

export function decodeMsgpack(bytes: Uint8Array | undefined | null): CtyValue {
  if (!bytes || bytes.length === 0) return null;
  return decode(bytes, { extensionCodec: codec }) as CtyValue;
}

export function encodeMsgpack(value: CtyValue): Uint8Array {
  return encode(value, { extensionCodec: codec, ignoreUndefined: false });
}

/** A DynamicValue from Terraform: msgpack normally, JSON in some legacy paths. */
export function fromDynamic(dv: { msgpack?: Uint8Array | null; json?: Uint8Array | null } | null | undefined): CtyValue {
  if (!dv) return null;
  if (dv.msgpack && dv.msgpack.length) return decodeMsgpack(dv.msgpack);
  if (dv.json && dv.json.length) return JSON.parse(Buffer.from(dv.json).toString("utf8")) as CtyValue;
  return null;
}

export function toDynamic(value: CtyValue): { msgpack: Uint8Array } {
  return { msgpack: encodeMsgpack(value) };
}

/** True when the value (or anything inside it) is unknown. */
export function containsUnknown(v: CtyValue): boolean {
  if (v instanceof Unknown) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}
