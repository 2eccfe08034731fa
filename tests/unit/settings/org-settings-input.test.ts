import { expect, test } from "vitest";
import { AppError } from "../../../lib/errors";
import { actSyncRefusal } from "../../../lib/settings/act-sync-refusal";
import { parseOrgSettingsInput } from "../../../lib/settings/org-settings-input";
import { english, englishFieldErrors } from "../../harness/english";

test("the settings form: blank default profile is none, an unticked checkbox is off", () => {
  const fd = new FormData();
  fd.set("defaultProfileId", "");
  fd.set("incomingDelivery", "server_side_sync");
  fd.set("outgoingDelivery", "email_router");
  fd.set("actDelivery", "none");
  expect(parseOrgSettingsInput(fd)).toEqual({
    defaultProfileId: null,
    incomingDelivery: "server_side_sync",
    outgoingDelivery: "email_router",
    actDelivery: "none",
    processOnlyApproved: false,
    threadBySubject: false,
  });
  fd.set("processOnlyApproved", "on");
  fd.set("threadBySubject", "on");
  expect(parseOrgSettingsInput(fd)).toMatchObject({ processOnlyApproved: true, threadBySubject: true });
});

test("unknown delivery methods and profile ids are field errors that say what to choose", () => {
  let err: unknown;
  try {
    parseOrgSettingsInput({ defaultProfileId: "gmail", incomingDelivery: "exchange", outgoingDelivery: "none", actDelivery: "" });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AppError);
  const fields = englishFieldErrors((err as AppError).fieldErrors);
  expect(fields.defaultProfileId).toEqual(["Choose the default profile from the list."]);
  expect(fields.incomingDelivery?.[0]).toMatch(/incoming email.*server-side synchronisation, email router or none/);
  expect(fields.actDelivery?.[0]).toMatch(/appointments, contacts and tasks/);
  expect(fields.outgoingDelivery).toBeUndefined();
});

test("ACT by server-side sync is refused for Gmail and POP3/SMTP with the guide's reason", () => {
  expect(english(actSyncRefusal("gmail", "Google"))).toMatch(/cannot be synchronised through a POP3\/SMTP, Gmail or Microsoft 365 \(IMAP\/POP3\) profile, and the profile "Google" is a Gmail profile\. Choose "email router" or "none"/);
  expect(english(actSyncRefusal("pop3smtp"))).toMatch(/the profile is a POP3\/SMTP profile/);
  expect(english(actSyncRefusal(null))).toMatch(/only server profiles Mailroom supports/);
});
