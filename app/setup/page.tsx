import { notFound } from "next/navigation";
import { PublicFrame } from "@/components/shell/public-frame";
import { hasAnyUser } from "@/lib/users/has-any-user";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";

// Exists only until the first user does; the action refuses on its own too.
export default async function SetupPage() {
  if (await hasAnyUser(getDb())) notFound();
  const t = await getT();
  return (
    <PublicFrame title={t("setup.title")}>
      <p className="mb-6 text-slate-600">{t("setup.intro")}</p>
      <SetupForm
        labels={{ email: t("field.email"), name: t("field.name"), password: t("field.password"), passwordHelp: t("field.passwordHelp"), submit: t("setup.submit") }}
      />
    </PublicFrame>
  );
}
