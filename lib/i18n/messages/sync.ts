/** The mailbox page's mail links and sync status. */
export const en = {
  "sync.title": "Mail",
  "sync.openMail": "Received mail",
  "sync.newEmail": "New email",
  "sync.sent": "Sent",
  "sync.syncNow": "Sync now",
  "sync.requested": "Sync requested; a worker picks it up within seconds.",
  "sync.deferred": "This mailbox synced less than the profile's minimum polling interval ago; it syncs again in about {seconds} seconds.",
  "sync.phase.not_started": "Not synchronised yet.",
  "sync.phase.first_sync": "First sync: {done} of {total}",
  "sync.phase.backfill": "Fetching older mail: {done} of {total}",
  "sync.phase.up_to_date": "Up to date.",
  "sync.phase.disabled": "Incoming email is disabled after a failure: fix the cause shown as the last error, then run Test & enable.",
  "sync.syncing": "Syncing now…",
  "sync.failures": "{count} failed attempts in a row",
} as const;

export const ja: Record<keyof typeof en, string> = {
  "sync.title": "メール",
  "sync.openMail": "受信メール",
  "sync.newEmail": "新しいメール",
  "sync.sent": "送信済み",
  "sync.syncNow": "今すぐ同期",
  "sync.requested": "同期を要求しました。数秒以内にワーカーが処理します。",
  "sync.deferred": "このメールボックスはプロファイルの最短ポーリング間隔内に同期済みです。約 {seconds} 秒後に再び同期します。",
  "sync.phase.not_started": "まだ同期されていません。",
  "sync.phase.first_sync": "初回同期: {total} 件中 {done} 件",
  "sync.phase.backfill": "過去のメールを取得中: {total} 件中 {done} 件",
  "sync.phase.up_to_date": "最新の状態です。",
  "sync.phase.disabled": "エラーのため受信電子メールは無効になっています。最後のエラーに示された原因を修正してから、「テストして有効化」を実行してください。",
  "sync.syncing": "同期中…",
  "sync.failures": "{count} 回連続で失敗しました",
};
