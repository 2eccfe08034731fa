/** The users page. */
export const en = {
  "users.title": "Users",
  "users.new": "New user",
  "users.editTitle": "Edit user",
  "users.created": "Created",
  "users.status": "Status",
  "users.active": "Active",
  "users.inactive": "Deactivated",
  "users.passwordKeep": "New password (leave blank to keep the current one)",
  "users.signOutEverywhere": "Sign out everywhere",
  "users.signOutEverywhereHelp": "Ends every session of this user, on every device. They keep their password and can sign in again.",
  "users.signedOutEverywhere": "Signed out everywhere. Every session of this user has ended.",
} as const;

export const ja: Record<keyof typeof en, string> = {
  "users.title": "ユーザー",
  "users.new": "新しいユーザー",
  "users.editTitle": "ユーザーの編集",
  "users.created": "作成日",
  "users.status": "状態",
  "users.active": "有効",
  "users.inactive": "無効",
  "users.passwordKeep": "新しいパスワード (空欄のままにすると現在のパスワードを維持します)",
  "users.signOutEverywhere": "すべての端末でサインアウト",
  "users.signOutEverywhereHelp": "このユーザーのすべての端末のセッションを終了します。パスワードはそのままで、再度サインインできます。",
  "users.signedOutEverywhere": "すべての端末でサインアウトしました。このユーザーのセッションはすべて終了しました。",
};
