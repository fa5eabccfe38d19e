/**
 * S3's bucket naming rules (general purpose buckets), one definition for the model's s3 backend
 * (`backend set`, platform validation) and `backend bootstrap --bucket`. Returns what is wrong, or
 * undefined for a valid name.
 */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters";
  if (!/^[a-z0-9.-]+$/.test(name)) return "may hold only lower-case letters, digits, dots and hyphens";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must begin and end with a letter or digit";
  if (name.includes("..")) return "must not contain two dots in a row";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not look like an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)) return "uses a prefix or suffix S3 reserves";
  return undefined;
}
