"use server";
import { redirect } from "next/navigation";
import { createFirstAdmin } from "@/lib/users/create-first-admin";
import { runAction, text, type ActionState } from "@/lib/server/action";
import { getDb } from "@/lib/server/db";

/** Creates the first admin (refused once any user exists), then goes to sign-in. */
export async function setupAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const state = await runAction(formData, async () => {
    await createFirstAdmin(getDb(), { email: text(formData, "email"), name: text(formData, "name"), password: text(formData, "password") });
  });
  if (state.ok) redirect("/sign-in?setup=done");
  return state;
}
