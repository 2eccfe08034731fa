import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { mailboxes } from "../../db/schema/mailboxes";
import { assertCan, can, type Actor } from "../auth/actor";
import { AppError } from "../errors";
import { msg, nested } from "../i18n/message";
import { loadOrgSettings } from "../settings/load-org-settings";
import { mailboxSettingsErrors, throwIfErrors } from "./check-mailbox-settings";
import { previewDefaultSettings } from "./preview-default-settings";
import { settingsChangeColumns } from "./settings-change-columns";
import { testAndEnableMailboxes, type TestAndEnableOutcome } from "./test-and-enable-mailboxes";

export type ApplyDefaultSettingsResult = {
  /** How many mailboxes had something changed. */
  changed: number;
  /** When asked to test & enable: the results, or the background job for a larger selection. */
  test: TestAndEnableOutcome | null;
};

/**
 * "Apply default email settings" (SPEC §3, mailbox:write): sets the org's default
 * profile and incoming / outgoing / ACT delivery on the selected mailboxes, then,
 * unless `testAndEnable` is false, tests and enables them (mailbox:test). Show
 * previewDefaultSettings first so the person sees what will change.
 */
export async function applyDefaultSettings(db: Db, actor: Actor | null, input: { ids: string[]; testAndEnable: boolean }): Promise<ApplyDefaultSettingsResult> {
  assertCan(actor, "mailbox:write");
  if (input.testAndEnable && !can(actor, "mailbox:test")) throw new AppError("forbidden", msg("error.mailbox.mayNotTest"));
  const changed = await db.transaction(async (tx) => {
    const preview = await previewDefaultSettings(tx, actor, input);
    const settings = await loadOrgSettings(tx);
    const next = { profileId: preview.defaultProfile.id, incomingDelivery: settings.incomingDelivery, outgoingDelivery: settings.outgoingDelivery, actDelivery: settings.actDelivery };
    throwIfErrors(await mailboxSettingsErrors(tx, next, (e) => msg("error.forOrgSettings", nested("cause", e))));
    const rows = await tx.select().from(mailboxes).where(inArray(mailboxes.id, preview.mailboxes.map((m) => m.id))).for("update");
    let n = 0;
    for (const m of rows) {
      if (!preview.mailboxes.find((p) => p.id === m.id)?.changes) continue;
      await tx.update(mailboxes).set({ ...settingsChangeColumns(m, next), updatedAt: new Date() }).where(eq(mailboxes.id, m.id));
      n++;
    }
    return n;
  });
  const test = input.testAndEnable ? await testAndEnableMailboxes(db, actor, { ids: input.ids }) : null;
  return { changed, test };
}
