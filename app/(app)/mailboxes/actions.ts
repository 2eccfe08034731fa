"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { applyDefaultSettings } from "@/lib/mailboxes/apply-default-settings";
import { approveMailboxes } from "@/lib/mailboxes/approve-mailboxes";
import { createQueue } from "@/lib/mailboxes/create-queue";
import { setMailboxCredentials } from "@/lib/mailboxes/set-mailbox-credentials";
import { testAndEnableMailboxes, type TestAndEnableOutcome } from "@/lib/mailboxes/test-and-enable-mailboxes";
import { updateMailbox } from "@/lib/mailboxes/update-mailbox";
import { updateMailboxes } from "@/lib/mailboxes/update-mailboxes";
import { checkbox, runAction, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";
import { isSecureChannel } from "@/lib/server/secure-channel";
import type { TestActionState } from "./test-state";

const ids = (fd: FormData) => fd.getAll("ids").filter((v): v is string => typeof v === "string");

/** Creates a queue (queue:create, admins; checked in createQueue), then opens it. */
export async function createQueueAction(_prev: ActionState, fd: FormData): Promise<ActionState> {
  let id = "";
  const state = await runAction(fd, async (actor) => {
    ({ id } = await createQueue(getDb(), actor, { name: text(fd, "name"), emailAddress: text(fd, "emailAddress"), ownerId: text(fd, "ownerId") }));
  }, { labels: ["mailboxes.field"] });
  if (state.ok) {
    revalidatePath("/mailboxes");
    redirect(`/mailboxes/${id}`);
  }
  return state;
}

/** Saves one mailbox's name, address, owner, profile and delivery methods (mailbox:write). */
export async function updateMailboxAction(_prev: ActionState, fd: FormData): Promise<ActionState> {
  const id = text(fd, "id");
  const state = await runAction(fd, async (actor) => {
    await updateMailbox(getDb(), actor, {
      id,
      name: text(fd, "name"),
      emailAddress: text(fd, "emailAddress"),
      ownerId: text(fd, "ownerId"),
      profileId: text(fd, "profileId"),
      incomingDelivery: text(fd, "incomingDelivery"),
      outgoingDelivery: text(fd, "outgoingDelivery"),
      actDelivery: text(fd, "actDelivery"),
    });
    return (await getT())("common.saved");
  }, { labels: ["mailboxes.field"] });
  if (state.ok) revalidatePath(`/mailboxes/${id}`);
  return state;
}

/** Stores the mailbox's own user name and password (write-only; blank keeps). */
export async function setCredentialsAction(_prev: ActionState, fd: FormData): Promise<ActionState> {
  const id = text(fd, "id");
  const state = await runAction(fd, async (actor) => {
    await setMailboxCredentials(getDb(), actor, {
      id,
      userName: text(fd, "userName"),
      password: text(fd, "password"),
      clearPassword: checkbox(fd, "clearPassword"),
      secureChannel: await isSecureChannel(),
    });
    return (await getT())("mailboxes.credentialsSaved");
  }, { labels: ["mailboxes.field"] });
  if (state.ok) revalidatePath(`/mailboxes/${id}`);
  return state;
}

/** The multi-record edit: profile and delivery methods on every selected mailbox (mailbox:write). */
export async function updateMailboxesAction(_prev: ActionState, fd: FormData): Promise<ActionState> {
  const state = await runAction(fd, async (actor) => {
    const count = await updateMailboxes(getDb(), actor, {
      ids: ids(fd),
      profileId: text(fd, "profileId"),
      incomingDelivery: text(fd, "incomingDelivery"),
      outgoingDelivery: text(fd, "outgoingDelivery"),
      actDelivery: text(fd, "actDelivery"),
    });
    return (await getT())("mailboxes.updated", { count });
  }, { labels: ["mailboxes.field"] });
  if (state.ok) revalidatePath("/mailboxes");
  return state;
}

/** Approves the email of the selected mailboxes (mailbox:approve, admins only). */
export async function approveAction(_prev: TestActionState, fd: FormData): Promise<TestActionState> {
  const state = await runAction(fd, async (actor) => {
    const count = await approveMailboxes(getDb(), actor, { ids: ids(fd) });
    return (await getT())("mailboxes.approved", { count });
  }, { labels: ["mailboxes.field"] });
  if (state.ok) revalidatePath("/mailboxes", "layout");
  return state;
}

/** Test & enable the selected mailboxes (mailbox:test): results now, or a background job for many. */
export async function testEnableAction(_prev: TestActionState, fd: FormData): Promise<TestActionState> {
  let test: TestAndEnableOutcome | undefined;
  const state = await runAction(fd, async (actor) => {
    test = await testAndEnableMailboxes(getDb(), actor, { ids: ids(fd) });
    const t = await getT();
    return test.kind === "job" ? t("mailboxes.test.queued", { total: test.total }) : t("mailboxes.test.done", { count: test.results.length });
  }, { labels: ["mailboxes.field"] });
  if (state.ok) revalidatePath("/mailboxes", "layout");
  return { ...state, test };
}

/** Applies the org's default profile and delivery methods, then (unless unticked) tests and enables. */
export async function applyDefaultsAction(_prev: TestActionState, fd: FormData): Promise<TestActionState> {
  let test: TestAndEnableOutcome | undefined;
  const state = await runAction(fd, async (actor) => {
    const r = await applyDefaultSettings(getDb(), actor, { ids: ids(fd), testAndEnable: checkbox(fd, "testAndEnable") });
    test = r.test ?? undefined;
    return (await getT())("mailboxes.applied", { count: r.changed });
  }, { labels: ["mailboxes.field"] });
  if (state.ok) revalidatePath("/mailboxes", "layout");
  return { ...state, test };
}

/** The mailbox list's selection buttons that run in place: "test" (test & enable) or "approve". */
export async function selectionAction(prev: TestActionState, fd: FormData): Promise<TestActionState> {
  if (ids(fd).length === 0) return { ok: false, formError: (await getT())("mailboxes.selectFirst") };
  return fd.get("op") === "approve" ? approveAction(prev, fd) : testEnableAction(prev, fd);
}
