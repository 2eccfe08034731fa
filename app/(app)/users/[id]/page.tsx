import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import { getUser } from "@/lib/users/get-user";
import { getDb } from "@/lib/server/db";
import { getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { updateUserAction } from "../actions";
import { userFormText } from "../labels";
import { SignOutEverywhereButton } from "../sign-out-everywhere-button";
import { UserForm } from "../user-form";

export default async function EditUserPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor("user:admin");
  const [t, { id }] = await Promise.all([getT(), params]);
  const user = await getUser(getDb(), actor, id).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const { roles, labels } = userFormText(t, true);
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">{t("users.editTitle")}</h1>
      <UserForm action={updateUserAction} initial={user} roles={roles} labels={labels} />
      <SignOutEverywhereButton
        id={user.id}
        text={{ title: t("users.signOutEverywhere"), help: t("users.signOutEverywhereHelp"), submit: t("users.signOutEverywhere") }}
      />
    </section>
  );
}
