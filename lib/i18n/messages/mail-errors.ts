/**
 * What a mail server connection failure means for a person (lib/mail/errors.ts).
 * Parameters: host, port, proto, tlsPort, plainPort; `{side}` is "incoming" or
 * "outgoing"; `{tlsField}`/`{authField}` are the profile form's labels; `{reply}`
 * quotes the server's own words verbatim (or is empty).
 */
export const en = {
  "mailError.serverSaid": " (the server said: \"{serverReply}\")",
  "mailError.certUntrusted": "Certificate not trusted — the certificate of {host}:{port} {problem}; {advice}.",
  "mailError.cert.altName": "is issued for a different name",
  "mailError.cert.expired": "has expired",
  "mailError.cert.notYetValid": "is not valid yet",
  "mailError.cert.revoked": "has been revoked",
  "mailError.cert.selfSigned": "is self-signed",
  "mailError.cert.untrustedCa": "is signed by an authority this app does not trust",
  "mailError.cert.adviceName": "enter the host name the certificate is issued for as the {side} server location",
  "mailError.cert.adviceCa":
    "ask the mail server's administrator for a certificate from a trusted authority, or have this app's operator add the server's CA to the trusted ones",
  "mailError.tlsMismatch": "TLS handshake with {host}:{port} failed — the port may expect STARTTLS or no encryption; untick '{tlsField}' or use port {tlsPort}.",
  "mailError.tlsAfterStarttls": "TLS handshake with {host}:{port} failed after STARTTLS — the server's TLS set-up is broken; ask its administrator.",
  "mailError.noStarttls":
    "{host}:{port} does not offer STARTTLS, so no password was sent — tick '{tlsField}' and use port {tlsPort}; only if this server cannot encrypt at all, an administrator may tick 'Allow unencrypted connections (not recommended)' in the profile.",
  "mailError.portNotAllowed": "Port {port} is not allowed by this deployment's outbound port policy (MAILROOM_ALLOWED_PORTS: {allowed}); nothing was sent — choose an allowed {side} port in the server profile.",
  "mailError.unsafeCredentials": "The user name or password contains a line break or NUL character, so it was not sent — {credentials}, and enter them again without it.",
  "mailError.tlsHungUp": "{host}:{port} closed the connection during the TLS handshake — will retry; if this persists, check '{tlsField}' and the port.",
  "mailError.tlsOther":
    "TLS handshake with {host}:{port} failed — the server and this app share no TLS version or cipher, or the port does not speak TLS; check '{tlsField}' and the port.",
  "mailError.tooManyConnections": "{host} says there are too many connections — will retry; lower '{maxField}' in the profile if this keeps happening.",
  "mailError.mailboxInUse": "{host} says the mailbox is in use by another session — will retry; lower '{maxField}' in the profile if this keeps happening.",
  "mailError.permanentSystemError": "{host} reports a permanent system error{reply} — ask the mail server's administrator, then test again.",
  "mailError.cannotSignInNow": "{host} is temporarily unable to sign in{reply} — will retry.",
  "mailError.needsTls": "{host} refuses passwords over an unencrypted connection — tick '{tlsField}' (port {tlsPort}) or use a port that offers STARTTLS.",
  "mailError.mechanism": "{host} does not support the chosen authentication protocol — set '{authField}' to 'Automatic'.",
  "mailError.noAuthOnPort": "{host}:{port} does not offer authentication{reply} — use the mail submission port ({plainPort} with STARTTLS, or {tlsPort} with SSL).",
  "mailError.authTemporary": "{host} could not check the password right now{reply} — will retry.",
  "mailError.authFailed": "Authentication failed — {credentials}.",
  "mailError.credentials.mailbox": "check the mailbox's user name and password",
  "mailError.credentials.profile": "check the user name and password in the server profile",
  "mailError.credentials.profileOutgoing": "check the outgoing user name and password in the server profile",
  "mailError.inboxMissing": "The INBOX was not found on {host} — check that this account has a mailbox there.",
  "mailError.notAccepting": "{host} is not accepting connections right now{reply} — will retry.",
  "mailError.temporaryFailure": "{host} answered with a temporary failure{reply} — will retry.",
  "mailError.messageRejected": "{host} rejected the message{reply} — check the recipients and the sender address.",
  "mailError.sessionRefused": "{host}:{port} refuses the SMTP session{reply} — check the {side} server location and port.",
  "mailError.greetingTimeout":
    "{host}:{port} accepted the connection but did not answer — the port may expect SSL/TLS from the start; tick '{tlsField}' (usually port {tlsPort}), or check the {side} server location and port.",
  "mailError.timeout": "{host}:{port} did not answer in time — check the {side} server location and port; a firewall may be blocking it. Will retry.",
  "mailError.hostNotFound": "The {side} server {host} was not found — check the {side} server location.",
  "mailError.dnsUnavailable": "Could not look up {host} (the name service did not answer) — will retry; check the {side} server location if this persists.",
  "mailError.badPort": "{port} is not a valid port — enter the {side} port ({proto}: {plainPort}, or {tlsPort} with SSL).",
  "mailError.connectionRefused": "Could not connect to {host}:{port} (connection refused) — check the {side} server location and port.",
  "mailError.unreachable": "Could not reach {host} from this server (no route) — check the {side} server location and port; will retry.",
  "mailError.connectionReset": "The connection to {host}:{port} was reset — will retry.",
  "mailError.sessionRefusedRetry": "{host} refused the session{reply} — will retry.",
  "mailError.wrongProtocol": "{host}:{port} does not answer in {proto} — check the {side} port ({proto}: {plainPort}, or {tlsPort} with SSL).",
  "mailError.connectionClosed": "{host}:{port} closed the connection — will retry; check the {side} server location and port if this persists.",
  "mailError.unexpected": "Unexpected error talking to {host}:{port} — see the detail; will retry.",
  "mailError.secretsUnreadable":
    "The mailbox's stored credentials could not be opened on this server — the operator should check MAILROOM_SECRET_KEY. Will retry.",
  "mailError.cramMd5Imap": "CRAM-MD5 is not available for IMAP — set '{authField}' to 'Automatic', PLAIN or LOGIN.",
  "mailError.syncCutOff": "The sync with {host}:{port} was still busy after {seconds} s and was cut off — will retry.",
  "mailError.hostNotAnswering":
    "{host}:{port} has stopped answering (several mailboxes on it timed out) — this mailbox waits while Mailroom tries one mailbox at a time, and syncs as soon as the server answers again.",
} as const;

export const ja: Record<keyof typeof en, string> = {
  "mailError.serverSaid": " (サーバーの応答: 「{serverReply}」)",
  "mailError.certUntrusted": "証明書が信頼されていません — {host}:{port} の証明書は{problem}。{advice}。",
  "mailError.cert.altName": "別の名前に対して発行されています",
  "mailError.cert.expired": "有効期限が切れています",
  "mailError.cert.notYetValid": "まだ有効になっていません",
  "mailError.cert.revoked": "失効しています",
  "mailError.cert.selfSigned": "自己署名です",
  "mailError.cert.untrustedCa": "このアプリが信頼していない認証局によって署名されています",
  "mailError.cert.adviceName": "{side}サーバーの場所に、証明書の発行先のホスト名を入力してください",
  "mailError.cert.adviceCa":
    "メール サーバーの管理者に信頼された認証局の証明書を依頼するか、このアプリの運用担当者にサーバーの CA を信頼済みに追加してもらってください",
  "mailError.tlsMismatch":
    "{host}:{port} との TLS ハンドシェイクに失敗しました — このポートは STARTTLS または暗号化なしを想定している可能性があります。「{tlsField}」をオフにするか、ポート {tlsPort} を使用してください。",
  "mailError.tlsAfterStarttls": "STARTTLS の後、{host}:{port} との TLS ハンドシェイクに失敗しました — サーバーの TLS 設定に問題があります。サーバーの管理者に問い合わせてください。",
  "mailError.noStarttls":
    "{host}:{port} は STARTTLS を提供していないため、パスワードは送信しませんでした — 「{tlsField}」をオンにして、ポート {tlsPort} を使用してください。このサーバーがまったく暗号化できない場合に限り、管理者がプロファイルで「暗号化されていない接続を許可する (非推奨)」をオンにできます。",
  "mailError.portNotAllowed": "ポート {port} はこの環境の送信ポートポリシー (MAILROOM_ALLOWED_PORTS: {allowed}) で許可されていないため、何も送信しませんでした — サーバープロファイルで許可された{side}ポートを選択してください。",
  "mailError.unsafeCredentials": "ユーザー名またはパスワードに改行または NUL 文字が含まれているため、送信しませんでした — {credentials}。その文字を含めずにもう一度入力してください。",
  "mailError.tlsHungUp": "{host}:{port} が TLS ハンドシェイク中に接続を閉じました — 再試行します。繰り返す場合は「{tlsField}」とポートを確認してください。",
  "mailError.tlsOther":
    "{host}:{port} との TLS ハンドシェイクに失敗しました — サーバーとこのアプリに共通の TLS バージョンや暗号がないか、ポートが TLS に対応していません。「{tlsField}」とポートを確認してください。",
  "mailError.tooManyConnections": "{host} によると接続数が多すぎます — 再試行します。繰り返す場合はプロファイルの「{maxField}」を下げてください。",
  "mailError.mailboxInUse": "{host} によるとメールボックスは別のセッションで使用中です — 再試行します。繰り返す場合はプロファイルの「{maxField}」を下げてください。",
  "mailError.permanentSystemError": "{host} が恒久的なシステム エラーを報告しました{reply} — メール サーバーの管理者に問い合わせてから、もう一度テストしてください。",
  "mailError.cannotSignInNow": "{host} は一時的にサインインできません{reply} — 再試行します。",
  "mailError.needsTls": "{host} は暗号化されていない接続でのパスワードを受け付けません — 「{tlsField}」をオンにする (ポート {tlsPort}) か、STARTTLS を提供するポートを使用してください。",
  "mailError.mechanism": "{host} は選択された認証プロトコルに対応していません — 「{authField}」を「自動」にしてください。",
  "mailError.noAuthOnPort": "{host}:{port} は認証を提供していません{reply} — メール送信用のポート (STARTTLS で {plainPort}、または SSL で {tlsPort}) を使用してください。",
  "mailError.authTemporary": "{host} は現在パスワードを確認できません{reply} — 再試行します。",
  "mailError.authFailed": "認証に失敗しました — {credentials}。",
  "mailError.credentials.mailbox": "メールボックスのユーザー名とパスワードを確認してください",
  "mailError.credentials.profile": "サーバー プロファイルのユーザー名とパスワードを確認してください",
  "mailError.credentials.profileOutgoing": "サーバー プロファイルの送信用のユーザー名とパスワードを確認してください",
  "mailError.inboxMissing": "{host} に INBOX が見つかりませんでした — このアカウントにメールボックスがあることを確認してください。",
  "mailError.notAccepting": "{host} は現在接続を受け付けていません{reply} — 再試行します。",
  "mailError.temporaryFailure": "{host} が一時的なエラーを返しました{reply} — 再試行します。",
  "mailError.messageRejected": "{host} がメッセージを拒否しました{reply} — 受信者と差出人のアドレスを確認してください。",
  "mailError.sessionRefused": "{host}:{port} が SMTP セッションを拒否しました{reply} — {side}サーバーの場所とポートを確認してください。",
  "mailError.greetingTimeout":
    "{host}:{port} は接続を受け付けましたが応答しません — このポートは最初から SSL/TLS を想定している可能性があります。「{tlsField}」をオンにする (通常はポート {tlsPort}) か、{side}サーバーの場所とポートを確認してください。",
  "mailError.timeout": "{host}:{port} が時間内に応答しませんでした — {side}サーバーの場所とポートを確認してください。ファイアウォールが遮断している可能性があります。再試行します。",
  "mailError.hostNotFound": "{side}サーバー {host} が見つかりませんでした — {side}サーバーの場所を確認してください。",
  "mailError.dnsUnavailable": "{host} を名前解決できませんでした (ネーム サービスが応答しません) — 再試行します。繰り返す場合は{side}サーバーの場所を確認してください。",
  "mailError.badPort": "{port} は有効なポートではありません — {side}ポートを入力してください ({proto}: {plainPort}、SSL の場合は {tlsPort})。",
  "mailError.connectionRefused": "{host}:{port} に接続できませんでした (接続が拒否されました) — {side}サーバーの場所とポートを確認してください。",
  "mailError.unreachable": "このサーバーから {host} に到達できませんでした (経路がありません) — {side}サーバーの場所とポートを確認してください。再試行します。",
  "mailError.connectionReset": "{host}:{port} との接続がリセットされました — 再試行します。",
  "mailError.sessionRefusedRetry": "{host} がセッションを拒否しました{reply} — 再試行します。",
  "mailError.wrongProtocol": "{host}:{port} は {proto} で応答しません — {side}ポートを確認してください ({proto}: {plainPort}、SSL の場合は {tlsPort})。",
  "mailError.connectionClosed": "{host}:{port} が接続を閉じました — 再試行します。繰り返す場合は{side}サーバーの場所とポートを確認してください。",
  "mailError.unexpected": "{host}:{port} との通信中に予期しないエラーが発生しました — 詳細を参照してください。再試行します。",
  "mailError.secretsUnreadable":
    "メールボックスに保存された資格情報をこのサーバーで開けませんでした — 運用担当者は MAILROOM_SECRET_KEY を確認してください。再試行します。",
  "mailError.cramMd5Imap": "IMAP では CRAM-MD5 を使用できません — 「{authField}」を「自動」、PLAIN、LOGIN のいずれかにしてください。",
  "mailError.syncCutOff": "{host}:{port} との同期が {seconds} 秒たっても終わらなかったため打ち切りました — 再試行します。",
  "mailError.hostNotAnswering":
    "{host}:{port} が応答しなくなりました (このサーバーの複数のメールボックスがタイムアウトしました) — Mailroom が一度に 1 つのメールボックスで確認している間、このメールボックスは待機し、サーバーが再び応答すればすぐに同期します。",
};
