// The mailbox forms' fields and rules (SPEC §3). Pure (zod only): the database
// rules (profile exists, ACT with this profile, unique address) are checked in
// check-mailbox-settings.ts. Rule messages are catalogue keys (lib/validation.ts).
import { z } from "zod";
import { isUuid } from "../is-uuid";

export const deliveryMethods = ["server_side_sync", "email_router", "none"] as const;

const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");
const delivery = z.enum(deliveryMethods, { error: "validation.delivery" });

export const mailboxFieldSchemas = {
  name: z.preprocess((v) => (v == null ? "" : v), z.string().trim().min(1, "validation.mailbox.nameRequired").max(200, "validation.mailbox.nameTooLong")),
  emailAddress: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
    z
      .string({ error: "validation.mailbox.emailRequired" })
      .min(1, "validation.mailbox.emailRequired")
      .max(254, "validation.mailbox.emailTooLong")
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "validation.mailbox.emailInvalid"),
  ),
  ownerId: z.preprocess((v) => (isBlank(v) ? "" : v), z.string().refine(isUuid, "validation.mailbox.owner")),
  /** Blank = no profile. */
  profileId: z.preprocess((v) => (isBlank(v) ? null : v), z.string().refine(isUuid, "validation.mailbox.profile").nullable()),
  incomingDelivery: delivery,
  outgoingDelivery: delivery,
  actDelivery: delivery,
  userName: z.preprocess((v) => (v == null ? "" : v), z.string().trim().max(256, "validation.userNameTooLong")),
  // Kept exactly as typed: spaces at either end may be part of a password.
  password: z.preprocess((v) => (v == null ? "" : v), z.string().max(1024, "validation.passwordTooLong")),
};

/** A value in the several-mailboxes form: "" keeps each mailbox's own value. */
export const KEEP = "";
