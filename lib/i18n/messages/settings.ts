/** The organisation email settings page (SPEC §2). Japanese terms follow the admin guide in seed/. */
export const en = {
  "settings.title": "Organisation email settings",
  "settings.syncMethods": "Synchronization methods",
  "settings.field.defaultProfileId": "Server profile",
  "settings.help.defaultProfileId":
    "The default email server profile: new mailboxes get it, and \"apply default email settings\" puts it on the mailboxes you select. Changing it does not change existing mailboxes.",
  "settings.profile.none": "(none)",
  "settings.field.incomingDelivery": "Incoming email",
  "settings.help.incomingDelivery":
    "How incoming email reaches Mailroom by default. Server-side synchronization: the worker polls the mailbox. Email router: an external component delivers it (through the ingest endpoint). None: not processed.",
  "settings.field.outgoingDelivery": "Outgoing email",
  "settings.help.outgoingDelivery":
    "How email written in Mailroom is sent by default. Server-side synchronization: the worker sends it over SMTP. Email router: an external component sends it. None: not sent.",
  "settings.field.actDelivery": "Appointments, contacts and tasks",
  "settings.help.actDelivery":
    "How appointments, contacts and tasks are synchronized. Server-side synchronization is not supported with POP3/SMTP or Gmail profiles.",
  "settings.delivery.server_side_sync": "Server-side synchronization",
  "settings.delivery.email_router": "Email router",
  "settings.delivery.none": "None",
  "settings.field.processOnlyApproved": "Process email only for approved users and queues",
  "settings.help.processOnlyApproved":
    "On (the default): email is processed only for mailboxes whose email an administrator has approved. Off: every enabled mailbox is processed.",
  "settings.field.threadBySubject": "Group replies by subject when their headers do not match",
  "settings.help.threadBySubject":
    "On (the default): a message whose subject starts with Re: or Fwd: and whose headers match no stored message joins a conversation of the last 14 days with the same subject in its mailbox. Off: only Message-ID, In-Reply-To and References group messages.",
  "settings.saved": "Settings saved. Existing mailboxes keep their settings until you apply the default email settings to them.",
} as const;

export const ja: Record<keyof typeof en, string> = {
  "settings.title": "電子メール設定",
  "settings.syncMethods": "同期方法",
  "settings.field.defaultProfileId": "サーバー プロファイル",
  "settings.help.defaultProfileId":
    "既定の電子メール サーバー プロファイルです。新しいメールボックスに使用され、「既定の電子メール設定を適用する」で選択したメールボックスに設定されます。変更しても既存のメールボックスは変わりません。",
  "settings.profile.none": "(なし)",
  "settings.field.incomingDelivery": "受信電子メール",
  "settings.help.incomingDelivery":
    "受信電子メールの既定の配信方法です。サーバー側同期: ワーカーがメールボックスをポーリングします。E-mail Router: 外部のコンポーネントが配信します (取り込みエンドポイント経由)。なし: 処理しません。",
  "settings.field.outgoingDelivery": "送信電子メール",
  "settings.help.outgoingDelivery":
    "Mailroom で作成した電子メールの既定の送信方法です。サーバー側同期: ワーカーが SMTP で送信します。E-mail Router: 外部のコンポーネントが送信します。なし: 送信しません。",
  "settings.field.actDelivery": "予定、取引先担当者、タスク",
  "settings.help.actDelivery": "予定、取引先担当者、タスクの同期方法です。サーバー側同期は POP3/SMTP プロファイルと Gmail プロファイルではサポートされません。",
  "settings.delivery.server_side_sync": "サーバー側同期",
  "settings.delivery.email_router": "E-mail Router",
  "settings.delivery.none": "なし",
  "settings.field.processOnlyApproved": "承認されたユーザーとキューの電子メールのみ処理する",
  "settings.help.processOnlyApproved":
    "オン (既定): システム管理者が電子メールを承認したメールボックスのみ処理します。オフ: 有効なすべてのメールボックスを処理します。",
  "settings.field.threadBySubject": "ヘッダーが一致しない返信を件名でスレッドにまとめる",
  "settings.help.threadBySubject":
    "オン (既定): 件名が Re: または Fwd: で始まり、ヘッダーが保存済みのどのメッセージとも一致しないメッセージを、同じメールボックス内で過去 14 日間の同じ件名のスレッドに加えます。オフ: Message-ID、In-Reply-To、References だけでまとめます。",
  "settings.saved": "設定を保存しました。既存のメールボックスは、既定の電子メール設定を適用するまで現在の設定のままです。",
};
