import { getT } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { createUserAction } from "../actions";
import { userFormText } from "../labels";
import { UserForm } from "../user-form";

export default async function NewUserPage() {
  await requireActor("user:admin");
  const t = await getT();
  const { roles, labels } = userFormText(t, false);
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">{t("users.new")}</h1>
      <UserForm action={createUserAction} initial={{ email: "", name: "", role: "member", active: true }} roles={roles} labels={labels} />
    </section>
  );
}
