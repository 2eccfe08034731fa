import { expect, test } from "vitest";
import { fieldLabelKey } from "../../lib/i18n/field-label";

test("a field at fault is named by the label its form shows, not its form name", () => {
  expect(fieldLabelKey("userName", ["mailboxes.field"])).toBe("mailboxes.field.userName");
  expect(fieldLabelKey("userName")).toBe("profiles.field.userName");
  expect(fieldLabelKey("ownerId", ["mailboxes.field"])).toBe("mailboxes.field.owner");
  expect(fieldLabelKey("incomingPort")).toBe("profiles.field.incomingPort");
  expect(fieldLabelKey("actDelivery", ["settings.field"])).toBe("settings.field.actDelivery");
  expect(fieldLabelKey("oauthClientSecret")).toBe("oauth.field.clientSecret");
  expect(fieldLabelKey("email")).toBe("field.email");
  expect(fieldLabelKey("to")).toBe("outbox.compose.to");
  expect(fieldLabelKey("noSuchField")).toBeNull();
});
