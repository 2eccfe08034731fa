import { redirect } from "next/navigation";
import { PublicFrame } from "@/components/shell/public-frame";
import { hasAnyUser } from "@/lib/users/has-any-user";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";
import { getActor } from "@/lib/server/session";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

export default async function SignInPage() {
  if (!(await hasAnyUser(getDb()))) redirect("/setup");
  if (await getActor()) redirect("/mailboxes");
  const t = await getT();
  return (
    <PublicFrame title={t("signIn.title")}>
      <SignInForm labels={{ email: t("field.email"), password: t("field.password"), submit: t("signIn.submit") }} />
    </PublicFrame>
  );
}
