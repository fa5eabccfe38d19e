/** Diagnostics: what Terraform shows the operator. Messages must never carry secrets. */
export type Severity = "error" | "warning";

export interface Diagnostic {
  readonly severity: Severity;
  readonly summary: string;
  readonly detail?: string;
  /** Attribute path (names only) the diagnostic points at. */
  readonly attribute?: readonly string[];
}

export function errorDiag(summary: string, detail?: string, attribute?: readonly string[]): Diagnostic {
  return { severity: "error", summary, detail, attribute };
}

export function warningDiag(summary: string, detail?: string, attribute?: readonly string[]): Diagnostic {
  return { severity: "warning", summary, detail, attribute };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** The protocol message shape (tfplugin6.Diagnostic). */
export function toWire(d: Diagnostic): Record<string, unknown> {
  return {
    severity: d.severity === "error" ? 1 : 2,
    summary: d.summary,
    detail: d.detail ?? "",
    ...(d.attribute?.length ? { attribute: { steps: d.attribute.map((a) => ({ attribute_name: a })) } } : {}),
  };
}
