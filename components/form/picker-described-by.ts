import { describedBy } from "./field";

/** describedBy's error and help links for a SearchPicker (its box carries the Field's id itself). */
export function pickerDescribedBy(name: string, errors?: string[], help?: string): { describedBy?: string; invalid?: boolean } {
  const p = describedBy(name, errors, help);
  return { describedBy: p["aria-describedby"], invalid: p["aria-invalid"] };
}
