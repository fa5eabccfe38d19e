/** Small typed readers for cty values coming from Terraform. */
import { CtyObject, CtyValue, isUnknown } from "./protocol/cty";

/** A known, non-empty string, else undefined (null, unknown and "" all mean "not given"). */
export function str(o: CtyObject | null | undefined, key: string): string | undefined {
  const v: CtyValue | undefined = o?.[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function isUnknownAttr(o: CtyObject | null | undefined, key: string): boolean {
  return isUnknown(o?.[key]);
}

/** Parse a Go-style duration ("10m", "90s", "1h30m", "500ms") into milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * units[m[2]];
    consumed = m.index + m[0].length;
  }
  if (consumed !== text.length || text.length === 0) {
    throw new Error(`"${text}" is not a duration: use a number with a unit, e.g. "30s", "10m", "1h30m"`);
  }
  return total;
}
