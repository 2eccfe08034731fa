"use server";
import { AuthError } from "next-auth";
import { signIn } from "@/lib/server/auth";
import { echoValues, text } from "@/lib/server/action";
import type { ActionState } from "@/lib/server/action-state";
import { getT } from "@/lib/server/locale";

/** Signs in with email and password; says only "wrong email or password" on failure. */
export async function signInAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const t = await getT();
  try {
    await signIn("credentials", { email: text(formData, "email"), password: text(formData, "password"), redirectTo: "/mailboxes" });
    return { ok: true };
  } catch (err) {
    if (err instanceof AuthError) {
      const code = (err as AuthError & { code?: string }).code ?? "";
      const m = /^rate_limited:(\d+)$/.exec(code);
      const formError = m ? t("signIn.rateLimited", { minutes: Math.max(1, Math.ceil(Number(m[1]) / 60)) }) : t("signIn.wrong");
      return { ok: false, formError, values: echoValues(formData) };
    }
    throw err; // the redirect after a successful sign-in
  }
}
