// The organisation email settings form (SPEC §2). Pure, so the page can reuse it.
import { z } from "zod";
import { AppError } from "../errors";
import { isUuid } from "../is-uuid";
import { deliveryMethods, type DeliveryMethod } from "./org-settings-view";
import type { MessageKey } from "../i18n/catalog";
import { msg } from "../i18n/message";
import { fieldErrorsOf } from "../validation";

const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");
const delivery = (message: MessageKey) => z.enum(deliveryMethods, { error: message });

// A browser sends an unticked checkbox as nothing.
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());

/** One schema per form field, named as the form names them. */
export const orgSettingsFieldSchemas = {
  /** Blank: no default profile. */
  defaultProfileId: z.preprocess(
    (v) => (isBlank(v) ? null : v),
    z
      .string()
      .refine(isUuid, "validation.settings.defaultProfile")
      .nullable(),
  ),
  incomingDelivery: delivery("validation.settings.incomingDelivery"),
  outgoingDelivery: delivery("validation.settings.outgoingDelivery"),
  actDelivery: delivery("validation.settings.actDelivery"),
  processOnlyApproved: checkbox,
  threadBySubject: checkbox,
};

export const orgSettingsFormSchema = z.object(orgSettingsFieldSchemas);
export type OrgSettingsFormField = keyof typeof orgSettingsFieldSchemas;

export type OrgSettingsInput = {
  defaultProfileId: string | null;
  incomingDelivery: DeliveryMethod;
  outgoingDelivery: DeliveryMethod;
  actDelivery: DeliveryMethod;
  processOnlyApproved: boolean;
  threadBySubject: boolean;
};

/** Validates the settings form (FormData or an object); throws AppError "invalid" with field errors. */
export function parseOrgSettingsInput(raw: FormData | Record<string, unknown>): OrgSettingsInput {
  const source: Record<string, unknown> = raw instanceof FormData ? Object.fromEntries(raw) : raw;
  const result = orgSettingsFormSchema.safeParse(source);
  if (!result.success) {
    throw new AppError("invalid", msg("error.settings.notSaved"), { fieldErrors: fieldErrorsOf(result.error) });
  }
  return result.data;
}
