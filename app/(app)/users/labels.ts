import { roles } from "@/lib/auth/privileges";
import type { Translate } from "@/lib/i18n/translate";

/** The user form's labels and role options in the request's language. */
export function userFormText(t: Translate, editing: boolean) {
  return {
    roles: roles.map((r) => ({ value: r, label: t(`role.${r}`) })),
    labels: {
      email: t("field.email"),
      name: t("field.name"),
      password: editing ? t("users.passwordKeep") : t("field.password"),
      passwordHelp: t("field.passwordHelp"),
      role: t("field.role"),
      active: t("field.active"),
      submit: t("common.save"),
    },
  };
}
