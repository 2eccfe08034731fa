// The mailbox forms' fields and rules (SPEC §3). Pure (zod only): the database
// rules (profile exists, ACT with this profile, unique address) are checked in
// check-mailbox-settings.ts.
import { z } from "zod";
import { isUuid } from "../is-uuid";

export const deliveryMethods = ["server_side_sync", "email_router", "none"] as const;

const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");
const delivery = z.enum(deliveryMethods, { error: "Choose server-side synchronization, email router or none." });

export const mailboxFieldSchemas = {
  name: z.preprocess((v) => (v == null ? "" : v), z.string().trim().min(1, "Enter a name for the mailbox.").max(200, "A name can be at most 200 characters.")),
  emailAddress: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
    z
      .string({ error: "Enter the mailbox's email address." })
      .min(1, "Enter the mailbox's email address.")
      .max(254, "An email address can be at most 254 characters.")
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "Enter an email address such as support@example.com."),
  ),
  ownerId: z.preprocess((v) => (isBlank(v) ? "" : v), z.string().refine(isUuid, "Choose the queue's owner from the list of users.")),
  /** Blank = no profile. */
  profileId: z.preprocess((v) => (isBlank(v) ? null : v), z.string().refine(isUuid, "Choose a server profile from the list.").nullable()),
  incomingDelivery: delivery,
  outgoingDelivery: delivery,
  actDelivery: delivery,
  userName: z.preprocess((v) => (v == null ? "" : v), z.string().trim().max(256, "A user name can be at most 256 characters.")),
  // Kept exactly as typed: spaces at either end may be part of a password.
  password: z.preprocess((v) => (v == null ? "" : v), z.string().max(1024, "A password can be at most 1024 characters.")),
};

/** A value in the several-mailboxes form: "" keeps each mailbox's own value. */
export const KEEP = "";
