import type { ServerType } from "../profiles/fill-profile-defaults";

export const deliveryMethods = ["server_side_sync", "email_router", "none"] as const;
export type DeliveryMethod = (typeof deliveryMethods)[number];

/** The organisation's email settings (SPEC §2) with the default profile (the one whose is_default is set). */
export type OrgSettingsView = {
  defaultProfileId: string | null;
  defaultProfileName: string | null;
  defaultProfileServerType: ServerType | null;
  incomingDelivery: DeliveryMethod;
  outgoingDelivery: DeliveryMethod;
  /** Appointments, contacts and tasks. */
  actDelivery: DeliveryMethod;
  processOnlyApproved: boolean;
  /** Subject matching, the last resort of conversation threading (lib/threads/assign-threads.ts). */
  threadBySubject: boolean;
  updatedAt: Date;
};
