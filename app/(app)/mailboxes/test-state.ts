// Client components import this file, so it has no server-only imports.
import type { ActionState } from "@/lib/server/action-state";
import type { TestAndEnableOutcome } from "@/lib/mailboxes/test-and-enable-mailboxes";

/** An action's state plus the test & enable outcome (results, or the background job), when it tested. */
export type TestActionState = ActionState & { test?: TestAndEnableOutcome };

export const initialTestState: TestActionState = { ok: false };
