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
};
