"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { createUser } from "@/lib/users/create-user";
import { endUserSessions } from "@/lib/users/end-user-sessions";
import { updateUser } from "@/lib/users/update-user";
import { checkbox, runAction, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";

/** Creates a user (admins only; checked in createUser). */
export async function createUserAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const state = await runAction(formData, async (actor) => {
    await createUser(getDb(), actor, {
      email: text(formData, "email"),
      name: text(formData, "name"),
      password: text(formData, "password"),
      role: text(formData, "role"),
    });
  });
  if (state.ok) {
    revalidatePath("/users");
    redirect("/users");
  }
  return state;
}

/** Changes a user's name, role, active flag or password (admins only). */
export async function updateUserAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const state = await runAction(formData, async (actor) => {
    await updateUser(getDb(), actor, {
      id: text(formData, "id"),
      name: text(formData, "name"),
      role: text(formData, "role"),
      active: checkbox(formData, "active"),
      password: text(formData, "password"),
    });
  });
  if (state.ok) {
    revalidatePath("/users");
    redirect("/users");
  }
  return state;
}

/** Ends every session of a user ("sign out everywhere"; admins only, checked in endUserSessions). */
export async function signOutEverywhereAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const t = await getT();
  return runAction(formData, async (actor) => {
    await endUserSessions(getDb(), actor, text(formData, "id"));
    return t("users.signedOutEverywhere");
  });
}
