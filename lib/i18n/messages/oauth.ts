/** OAuth 2.0: the profile's app settings, a mailbox's sign-in, provider errors, the basic-auth report (SPEC §1, §3, §7). */
export const en = {
  "nav.basicAuth": "Password sign-ins",

  // Profile form and page
  "oauth.section": "OAuth 2.0 app",
  "oauth.intro.google":
    "Mailroom signs in to Gmail with an OAuth client you create in the Google Cloud console (APIs & Services → Credentials). See \"Connect Gmail\" in the README.",
  "oauth.intro.microsoft":
    "Mailroom signs in to Microsoft 365 with an app you register in Microsoft Entra ID (App registrations). See \"Connect Microsoft 365\" in the README.",
  "oauth.intro.generic": "Enter the OAuth 2.0 client and endpoints your mail provider gave you.",
  "oauth.provider.google": "Google",
  "oauth.provider.microsoft": "Microsoft",
  "oauth.provider.generic": "Other OAuth 2.0 server",
  "oauth.field.clientId": "Client ID",
  "oauth.help.clientId.google": "The OAuth client's ID from the Google Cloud console, ending in .apps.googleusercontent.com.",
  "oauth.help.clientId.microsoft": "The Application (client) ID shown on the app's Overview page in Microsoft Entra ID.",
  "oauth.help.clientId.generic": "The client ID your provider issued for Mailroom.",
  "oauth.field.clientSecret": "Client secret",
  "oauth.help.clientSecret":
    "Stored encrypted and never shown again. Leave it blank to keep the stored secret. Microsoft: the secret's Value (not its ID) from Certificates & secrets.",
  "oauth.secretStatus": "Stored client secret: {status}",
  "oauth.field.clearClientSecret": "Clear the stored client secret",
  "oauth.help.clearClientSecret": "Removes the stored client secret when you save.",
  "oauth.field.secretExpiresAt": "Client secret expires on",
  "oauth.help.secretExpiresAt":
    "Optional. The profile's owner is alerted 30, 7 and 1 days before it, so a new secret can be entered before sign-ins stop. Microsoft shows it under Certificates & secrets.",
  "oauth.field.certificatePem": "Certificate (PEM)",
  "oauth.help.certificatePem":
    "Instead of a client secret (app-only): the public certificate you uploaded to the app's Certificates & secrets, beginning with -----BEGIN CERTIFICATE-----.",
  "oauth.field.privateKeyPem": "Certificate's private key (PEM)",
  "oauth.help.privateKeyPem": "The private key of that certificate. Stored encrypted with the certificate and never shown again; leave both blank to keep them.",
  "oauth.certificateStatus": "Stored certificate: {status}",
  "oauth.field.clearCertificate": "Clear the stored certificate",
  "oauth.help.clearCertificate": "Removes the stored certificate and its key when you save.",
  "oauth.field.serviceAccountKey": "Service account key (JSON)",
  "oauth.help.serviceAccountKey":
    "The JSON key of a service account with domain-wide delegation for the scope https://mail.google.com/ (Google Workspace Admin console → Security → API controls). Stored encrypted and never shown again; leave it blank to keep it.",
  "oauth.serviceAccountKeyStatus": "Stored service account key: {status}",
  "oauth.field.clearServiceAccountKey": "Clear the stored service account key",
  "oauth.help.clearServiceAccountKey": "Removes the stored service account key when you save.",
  "oauth.field.tenant": "Tenant",
  "oauth.help.tenant":
    "Your Microsoft Entra tenant: its ID (a GUID) or a verified domain such as contoso.onmicrosoft.com. Blank: \"organizations\" (any work or school account; delegated only). App-only needs your own tenant.",
  "oauth.field.cloud": "Cloud",
  "oauth.help.cloud": "Which Microsoft cloud the tenant lives in. It fills in the endpoints, scopes and server locations.",
  "oauth.cloud.global": "Worldwide",
  "oauth.cloud.usgov": "US Government (GCC High / DoD)",
  "oauth.cloud.china": "China (operated by 21Vianet)",
  "oauth.field.authorizationUrl": "Authorization endpoint",
  "oauth.help.authorizationUrl": "Where a person signs in and consents (delegated sign-in). Prefilled for Google and Microsoft.",
  "oauth.field.tokenUrl": "Token endpoint",
  "oauth.help.tokenUrl": "Where Mailroom exchanges codes and refresh tokens for access tokens. Prefilled for Google and Microsoft.",
  "oauth.field.revocationUrl": "Revocation endpoint",
  "oauth.help.revocationUrl": "Optional. Where \"Disconnect\" revokes a mailbox's token. Microsoft has none: revoke the app in the account's My Apps page instead.",
  "oauth.field.userinfoUrl": "Userinfo endpoint",
  "oauth.help.userinfoUrl": "Optional. Asked for the account's address when the sign-in returns no ID token.",
  "oauth.field.scopes": "Scopes",
  "oauth.help.scopes":
    "Space-separated. Prefilled with what mail access needs: Google https://mail.google.com/; Microsoft delegated IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send and offline_access; Microsoft app-only https://outlook.office365.com/.default.",
  "oauth.redirectUri": "Redirect URI",
  "oauth.redirectUriHelp":
    "Register this address in the provider's console: Google → the OAuth client's Authorized redirect URIs; Microsoft → Authentication → Web → Redirect URIs.",
  "oauth.redirectUriFromRequest":
    "MAILROOM_PUBLIC_URL is not set, so this address is taken from how you opened this page. Set MAILROOM_PUBLIC_URL to the address people use to reach Mailroom.",
  "oauth.appOnly.microsoft":
    "App-only (credentials in the profile): in Microsoft Entra ID, add the application permissions IMAP.AccessAsApp, POP.AccessAsApp and SMTP.SendAsApp (Office 365 Exchange Online) and grant admin consent; then, in Exchange Online PowerShell, register the app's service principal (New-ServicePrincipal) and give it FullAccess to each mailbox (Add-MailboxPermission). Mailboxes sign in as their own address.",
  "oauth.appOnly.google":
    "App-only (credentials in the profile): a service account with domain-wide delegation acts for every mailbox; each mailbox's address is the user it acts as.",
  "oauth.delegated":
    "Credentials by user or queue: each mailbox signs in with its own account on its page (\"Sign in with …\"). The account must be the mailbox's address.",
  "oauth.filled": "{provider}'s locations, ports and SSL are filled in automatically.",

  // Field errors
  "oauth.error.clientIdRequired": "Enter the client ID of the app registered with {provider}.",
  "oauth.error.tooLong": "This value can be at most {max} characters.",
  "oauth.error.clientSecretRequired": "Enter the client secret of the app registered with {provider}. Delegated sign-in needs it to exchange the code for tokens.",
  "oauth.error.secretOrCertificateRequired": "Enter a client secret, or a certificate and its private key: Microsoft's client credentials grant needs one of them.",
  "oauth.error.clearInsteadOfReplace": "This profile needs it: enter a new one instead of clearing it, or choose another authentication protocol.",
  "oauth.error.serviceAccountKeyRequired":
    "Paste the service account's JSON key: with credentials in the profile, Gmail mailboxes are reached through a service account with domain-wide delegation.",
  "oauth.error.serviceAccountKeyInvalid":
    "This is not a service account key: paste the whole JSON file the Google Cloud console downloaded (it has \"type\": \"service_account\", client_email and private_key).",
  "oauth.error.certificateInvalid": "Paste the certificate in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.",
  "oauth.error.privateKeyInvalid": "Paste the private key in PEM form, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----.",
  "oauth.error.certificatePairIncomplete": "Enter both the certificate and its private key.",
  "oauth.error.tenantInvalid": "Enter the tenant's ID (a GUID) or a verified domain such as contoso.onmicrosoft.com, or leave it blank.",
  "oauth.error.tenantAppOnly":
    "App-only sign-in needs your own tenant: enter its ID or domain instead of \"{tenant}\" (the client credentials grant refuses common, organizations and consumers).",
  "oauth.error.cloudInvalid": "Choose the cloud: worldwide, US Government or China.",
  "oauth.error.urlRequired": "Enter this endpoint's https:// address (your provider's documentation gives it).",
  "oauth.error.urlInvalid": "Enter a full https:// address, for example https://login.example.com/oauth2/token (plain http only for this machine's own addresses).",
  "oauth.error.scopesRequired": "Enter the scopes to ask for, separated by spaces.",
  "oauth.error.dateInvalid": "Enter a date, for example 2027-06-30.",
  "oauth.error.genericAppOnly": "With credentials in the profile, an OAuth 2.0 server given by hand signs in with the client credentials grant: enter its client secret.",

  // Mailbox page
  "oauth.connection.title": "OAuth 2.0 sign-in",
  "oauth.connection.connected": "Connected as {account} since {date}",
  "oauth.connection.notConnected":
    "Not connected: this mailbox's profile signs in with OAuth 2.0, and nobody has signed in for it yet. Mail is not fetched or sent until someone does.",
  "oauth.connection.appOnly": "This mailbox's profile signs in with its own app for every mailbox (app-only), as {account}. Test & enable proves it.",
  "oauth.connection.lastError": "Last token error: {code} at {date}",
  "oauth.connection.howTo": "Sign in with the account {address}. You will be sent to {provider} and back here.",
  "oauth.connection.notAllowed": "Only the mailbox's owner, or someone allowed to change mailboxes, can sign in for it.",
  "oauth.signIn.google": "Sign in with Google",
  "oauth.signIn.microsoft": "Sign in with Microsoft",
  "oauth.signIn.generic": "Sign in",
  "oauth.disconnect": "Disconnect",
  "oauth.disconnectHelp": "Revokes the token where the provider allows it and deletes what Mailroom stored. The mailbox stops until someone signs in again.",

  // Outcomes of a sign-in (shown on the mailbox page after the provider sends the browser back)
  "oauth.result.connected": "Connected as {account}. Run Test & enable to start using the mailbox.",
  "oauth.result.disconnected": "Disconnected. Mailroom no longer holds a token for this mailbox.",
  "oauth.result.disconnectedNotRevoked":
    "Disconnected: Mailroom deleted its tokens, but {provider} could not be asked to revoke them. Remove Mailroom's access in the account's settings to be sure.",
  "oauth.result.accountMismatch":
    "You signed in as {account}, but this mailbox is {mailbox}. Nothing was stored. Sign in again with the account {mailbox} (sign out of {account} at the provider first, or choose another account there).",
  "oauth.result.noIdentity":
    "The provider did not say which account signed in, so it cannot be checked against the mailbox's address. Nothing was stored. Add the scopes \"openid email\", or the userinfo endpoint, to the profile.",
  "oauth.result.stateInvalid": "This sign-in is not valid any more: it expired, was already used, or was started in another session. Nothing was stored. Press \"Sign in\" again.",
  "oauth.result.notOAuth": "This mailbox's profile does not sign in with OAuth 2.0 for each mailbox, so there is nothing to sign in to. Check the profile's authentication protocol and credential mode.",
  "oauth.result.profileIncomplete": "The profile's OAuth 2.0 app is incomplete: {field} is missing. An administrator must complete the profile first.",
  "oauth.result.noRefreshToken":
    "The provider issued no refresh token, so the mailbox would stop within an hour. Nothing was stored. Google: remove Mailroom from the account's third-party access and sign in again; Microsoft: add offline_access to the profile's scopes.",
  "oauth.result.access_denied": "The sign-in was cancelled or consent was refused at the provider. Nothing was stored. Press \"Sign in\" and accept the requested access.",
  "oauth.result.invalid_client":
    "The provider did not accept the app's credentials: the profile's client ID or client secret is wrong. An administrator must correct them on the profile (copy them again from the provider's console).",
  "oauth.result.redirect_uri_mismatch":
    "The provider refused the redirect URI: {redirectUri} is not registered for this app. Add it in the provider's console (Google: Authorized redirect URIs; Microsoft: Authentication → Web → Redirect URIs), exactly as shown on the profile page.",
  "oauth.result.admin_consent_required":
    "Your organisation requires an administrator to approve this app first (AADSTS65001). A Microsoft Entra admin must open the app's API permissions and press \"Grant admin consent\", then sign in again.",
  "oauth.result.wrong_secret":
    "Microsoft refused the client secret (AADSTS7000215): the profile's client secret is wrong — it must be the secret's Value, not its ID. An administrator must enter it again on the profile.",
  "oauth.result.expired_secret":
    "The app's client secret has expired (AADSTS7000222). An administrator must create a new secret under Certificates & secrets in Microsoft Entra ID and enter it on the profile (with its new expiry date).",
  "oauth.result.unauthorized_client":
    "The provider does not allow this app to sign in this way (unauthorized_client). Google: the OAuth client must be of type \"Web application\", and for app-only the service account needs domain-wide delegation for https://mail.google.com/. Microsoft: check the app's supported account types.",
  "oauth.result.invalid_grant":
    "The provider refused the sign-in code or token (invalid_grant): it expired, was already used, or access was withdrawn. Press \"Sign in\" again. If it keeps happening, check that this machine's clock is right.",
  "oauth.result.invalid_scope": "The provider refused the scopes the profile asks for. An administrator must check the profile's scopes against the provider's documentation (the prefilled ones are correct).",
  "oauth.result.app_not_found":
    "Microsoft does not know this app in the tenant (AADSTS700016): the profile's client ID or tenant is wrong, or the app is not yet consented in this tenant.",
  "oauth.result.unavailable": "The provider could not be reached or answered with an error. Nothing was stored. Try again in a few minutes.",
  "oauth.result.unknown": "The provider refused the sign-in ({error}). Nothing was stored. The technical detail is in the server log.",

  // Alerts
  "oauth.alert.signInAgain": "Sign in again",

  // Basic-auth report
  "basicAuth.title": "Password sign-ins to Google and Microsoft 365",
  "basicAuth.intro":
    "Mailboxes that still send a password to Google or Microsoft 365 servers. Both providers are turning passwords off: switch their profiles to OAuth 2.0.",
  "basicAuth.empty": "No mailbox signs in to Google or Microsoft 365 with a password.",
  "basicAuth.col.mailbox": "Mailbox",
  "basicAuth.col.profile": "Profile",
  "basicAuth.col.directions": "With a password",
  "basicAuth.col.status": "Provider's status",
  "basicAuth.direction.incoming": "Incoming ({protocol})",
  "basicAuth.direction.outgoing": "Outgoing (SMTP)",
  "basicAuth.status.microsoftIncoming": "Refused: Microsoft turned off passwords for IMAP and POP in 2022.",
  "basicAuth.status.microsoftSmtp": "SMTP AUTH with a password is turned off by default from the end of December 2026 (reply 550 5.7.30).",
  "basicAuth.status.google": "Refused since 2024, except app passwords (accounts with 2-Step Verification).",
  "basicAuth.switch": "Switch the profile to OAuth 2.0",
  "basicAuth.flag": "Signs in to {provider} with a password: see the password sign-ins report.",
} as const;

export const ja: Record<keyof typeof en, string> = {
  "nav.basicAuth": "パスワード サインイン",

  "oauth.section": "OAuth 2.0 アプリ",
  "oauth.intro.google":
    "Mailroom は、Google Cloud コンソール (API とサービス → 認証情報) で作成した OAuth クライアントで Gmail にサインインします。README の「Connect Gmail」を参照してください。",
  "oauth.intro.microsoft":
    "Mailroom は、Microsoft Entra ID (アプリの登録) に登録したアプリで Microsoft 365 にサインインします。README の「Connect Microsoft 365」を参照してください。",
  "oauth.intro.generic": "メール プロバイダーから提供された OAuth 2.0 クライアントとエンドポイントを入力します。",
  "oauth.provider.google": "Google",
  "oauth.provider.microsoft": "Microsoft",
  "oauth.provider.generic": "その他の OAuth 2.0 サーバー",
  "oauth.field.clientId": "クライアント ID",
  "oauth.help.clientId.google": "Google Cloud コンソールの OAuth クライアントの ID (.apps.googleusercontent.com で終わります)。",
  "oauth.help.clientId.microsoft": "Microsoft Entra ID のアプリの概要ページに表示されるアプリケーション (クライアント) ID。",
  "oauth.help.clientId.generic": "プロバイダーが Mailroom 用に発行したクライアント ID。",
  "oauth.field.clientSecret": "クライアント シークレット",
  "oauth.help.clientSecret":
    "暗号化して保存され、再表示されません。空欄のままにすると保存済みのシークレットを保持します。Microsoft: 「証明書とシークレット」のシークレットの値 (ID ではありません)。",
  "oauth.secretStatus": "保存済みのクライアント シークレット: {status}",
  "oauth.field.clearClientSecret": "保存済みのクライアント シークレットを消去する",
  "oauth.help.clearClientSecret": "保存時に、保存済みのクライアント シークレットを削除します。",
  "oauth.field.secretExpiresAt": "クライアント シークレットの有効期限",
  "oauth.help.secretExpiresAt":
    "省略可能。期限の 30 日前、7 日前、1 日前にプロファイルの所有者にアラートが届き、サインインが止まる前に新しいシークレットを入力できます。Microsoft では「証明書とシークレット」に表示されます。",
  "oauth.field.certificatePem": "証明書 (PEM)",
  "oauth.help.certificatePem":
    "クライアント シークレットの代わりに (アプリのみ): アプリの「証明書とシークレット」にアップロードした公開証明書。-----BEGIN CERTIFICATE----- で始まります。",
  "oauth.field.privateKeyPem": "証明書の秘密キー (PEM)",
  "oauth.help.privateKeyPem": "その証明書の秘密キー。証明書とともに暗号化して保存され、再表示されません。両方を空欄にすると保存済みのものを保持します。",
  "oauth.certificateStatus": "保存済みの証明書: {status}",
  "oauth.field.clearCertificate": "保存済みの証明書を消去する",
  "oauth.help.clearCertificate": "保存時に、保存済みの証明書と秘密キーを削除します。",
  "oauth.field.serviceAccountKey": "サービス アカウント キー (JSON)",
  "oauth.help.serviceAccountKey":
    "スコープ https://mail.google.com/ のドメイン全体の委任を持つサービス アカウントの JSON キー (Google Workspace 管理コンソール → セキュリティ → API の制御)。暗号化して保存され、再表示されません。空欄のままにすると保持します。",
  "oauth.serviceAccountKeyStatus": "保存済みのサービス アカウント キー: {status}",
  "oauth.field.clearServiceAccountKey": "保存済みのサービス アカウント キーを消去する",
  "oauth.help.clearServiceAccountKey": "保存時に、保存済みのサービス アカウント キーを削除します。",
  "oauth.field.tenant": "テナント",
  "oauth.help.tenant":
    "Microsoft Entra テナント: その ID (GUID) または contoso.onmicrosoft.com のような確認済みドメイン。空欄: 「organizations」(任意の職場または学校アカウント。委任のみ)。アプリのみでは自組織のテナントが必要です。",
  "oauth.field.cloud": "クラウド",
  "oauth.help.cloud": "テナントが属する Microsoft クラウド。エンドポイント、スコープ、サーバーの場所が入力されます。",
  "oauth.cloud.global": "グローバル",
  "oauth.cloud.usgov": "米国政府 (GCC High / DoD)",
  "oauth.cloud.china": "中国 (21Vianet が運営)",
  "oauth.field.authorizationUrl": "認可エンドポイント",
  "oauth.help.authorizationUrl": "ユーザーがサインインして同意する場所 (委任サインイン)。Google と Microsoft では自動入力されます。",
  "oauth.field.tokenUrl": "トークン エンドポイント",
  "oauth.help.tokenUrl": "Mailroom がコードや更新トークンをアクセス トークンに交換する場所。Google と Microsoft では自動入力されます。",
  "oauth.field.revocationUrl": "失効エンドポイント",
  "oauth.help.revocationUrl": "省略可能。「切断」がメールボックスのトークンを失効させる場所。Microsoft にはないため、アカウントのマイ アプリ ページでアプリのアクセスを削除してください。",
  "oauth.field.userinfoUrl": "UserInfo エンドポイント",
  "oauth.help.userinfoUrl": "省略可能。サインインで ID トークンが返されない場合に、アカウントのアドレスを問い合わせます。",
  "oauth.field.scopes": "スコープ",
  "oauth.help.scopes":
    "スペース区切り。メールのアクセスに必要なものが入力されます: Google https://mail.google.com/、Microsoft 委任 IMAP.AccessAsUser.All、POP.AccessAsUser.All、SMTP.Send、offline_access、Microsoft アプリのみ https://outlook.office365.com/.default。",
  "oauth.redirectUri": "リダイレクト URI",
  "oauth.redirectUriHelp":
    "このアドレスをプロバイダーのコンソールに登録します: Google → OAuth クライアントの「承認済みのリダイレクト URI」、Microsoft → 「認証」→「Web」→「リダイレクト URI」。",
  "oauth.redirectUriFromRequest":
    "MAILROOM_PUBLIC_URL が設定されていないため、このアドレスはこのページを開いた方法から作られています。MAILROOM_PUBLIC_URL に、利用者が Mailroom に接続するアドレスを設定してください。",
  "oauth.appOnly.microsoft":
    "アプリのみ (プロファイルで指定された資格情報): Microsoft Entra ID でアプリケーションのアクセス許可 IMAP.AccessAsApp、POP.AccessAsApp、SMTP.SendAsApp (Office 365 Exchange Online) を追加して管理者の同意を与え、Exchange Online PowerShell でアプリのサービス プリンシパルを登録し (New-ServicePrincipal)、各メールボックスに FullAccess を付与します (Add-MailboxPermission)。メールボックスは自身のアドレスでサインインします。",
  "oauth.appOnly.google":
    "アプリのみ (プロファイルで指定された資格情報): ドメイン全体の委任を持つサービス アカウントがすべてのメールボックスの代わりに動作します。各メールボックスのアドレスが、代理するユーザーになります。",
  "oauth.delegated":
    "ユーザーまたはキューで指定された資格情報: 各メールボックスのページで、それぞれのアカウントでサインインします (「… でサインイン」)。アカウントはメールボックスのアドレスと一致する必要があります。",
  "oauth.filled": "{provider} の場所とポート フィールド、SSL は自動的に入力されます。",

  "oauth.error.clientIdRequired": "{provider} に登録したアプリのクライアント ID を入力してください。",
  "oauth.error.tooLong": "この値は {max} 文字以内で入力してください。",
  "oauth.error.clientSecretRequired": "{provider} に登録したアプリのクライアント シークレットを入力してください。委任サインインでコードをトークンに交換するために必要です。",
  "oauth.error.secretOrCertificateRequired": "クライアント シークレット、または証明書とその秘密キーを入力してください。Microsoft のクライアント資格情報付与にはどちらかが必要です。",
  "oauth.error.clearInsteadOfReplace": "このプロファイルには必要です。消去せずに新しい値を入力するか、別の認証プロトコルを選択してください。",
  "oauth.error.serviceAccountKeyRequired":
    "サービス アカウントの JSON キーを貼り付けてください。プロファイルで指定された資格情報では、Gmail のメールボックスにはドメイン全体の委任を持つサービス アカウントで接続します。",
  "oauth.error.serviceAccountKeyInvalid":
    "サービス アカウント キーではありません。Google Cloud コンソールからダウンロードした JSON ファイル全体を貼り付けてください (\"type\": \"service_account\"、client_email、private_key を含みます)。",
  "oauth.error.certificateInvalid": "証明書を PEM 形式で貼り付けてください (-----BEGIN CERTIFICATE----- から -----END CERTIFICATE----- まで)。",
  "oauth.error.privateKeyInvalid": "秘密キーを PEM 形式で貼り付けてください (-----BEGIN PRIVATE KEY----- から -----END PRIVATE KEY----- まで)。",
  "oauth.error.certificatePairIncomplete": "証明書とその秘密キーの両方を入力してください。",
  "oauth.error.tenantInvalid": "テナントの ID (GUID) または contoso.onmicrosoft.com のような確認済みドメインを入力するか、空欄にしてください。",
  "oauth.error.tenantAppOnly":
    "アプリのみのサインインには自組織のテナントが必要です。「{tenant}」ではなく、その ID またはドメインを入力してください (クライアント資格情報付与は common、organizations、consumers を受け付けません)。",
  "oauth.error.cloudInvalid": "クラウドを選択してください: グローバル、米国政府、中国。",
  "oauth.error.urlRequired": "このエンドポイントの https:// アドレスを入力してください (プロバイダーのドキュメントに記載されています)。",
  "oauth.error.urlInvalid": "https:// で始まる完全なアドレスを入力してください (例: https://login.example.com/oauth2/token)。http はこのコンピューター自身のアドレスに限ります。",
  "oauth.error.scopesRequired": "要求するスコープをスペース区切りで入力してください。",
  "oauth.error.dateInvalid": "日付を入力してください (例: 2027-06-30)。",
  "oauth.error.genericAppOnly": "プロファイルで指定された資格情報では、手入力の OAuth 2.0 サーバーにはクライアント資格情報付与でサインインします。クライアント シークレットを入力してください。",

  "oauth.connection.title": "OAuth 2.0 サインイン",
  "oauth.connection.connected": "{account} として {date} から接続中",
  "oauth.connection.notConnected":
    "未接続: このメールボックスのプロファイルは OAuth 2.0 でサインインしますが、まだ誰もサインインしていません。サインインするまで電子メールの受信も送信も行われません。",
  "oauth.connection.appOnly": "このメールボックスのプロファイルは、すべてのメールボックスに対して自身のアプリで {account} としてサインインします (アプリのみ)。テストと有効化で確認できます。",
  "oauth.connection.lastError": "最後のトークン エラー: {code} ({date})",
  "oauth.connection.howTo": "アカウント {address} でサインインしてください。{provider} に移動し、ここに戻ります。",
  "oauth.connection.notAllowed": "サインインできるのは、メールボックスの所有者か、メールボックスを変更できるユーザーだけです。",
  "oauth.signIn.google": "Google でサインイン",
  "oauth.signIn.microsoft": "Microsoft でサインイン",
  "oauth.signIn.generic": "サインイン",
  "oauth.disconnect": "切断",
  "oauth.disconnectHelp": "プロバイダーが許す場合はトークンを失効させ、Mailroom が保存したものを削除します。再びサインインするまでメールボックスは停止します。",

  "oauth.result.connected": "{account} として接続しました。テストと有効化を実行して、メールボックスの使用を開始してください。",
  "oauth.result.disconnected": "切断しました。Mailroom はこのメールボックスのトークンを保持していません。",
  "oauth.result.disconnectedNotRevoked":
    "切断しました: Mailroom はトークンを削除しましたが、{provider} に失効を依頼できませんでした。念のため、アカウントの設定で Mailroom のアクセスを削除してください。",
  "oauth.result.accountMismatch":
    "{account} としてサインインしましたが、このメールボックスは {mailbox} です。何も保存していません。アカウント {mailbox} でもう一度サインインしてください (先にプロバイダーで {account} からサインアウトするか、別のアカウントを選択してください)。",
  "oauth.result.noIdentity":
    "プロバイダーがサインインしたアカウントを示さなかったため、メールボックスのアドレスと照合できません。何も保存していません。プロファイルにスコープ「openid email」か UserInfo エンドポイントを追加してください。",
  "oauth.result.stateInvalid": "このサインインは無効です。期限切れ、使用済み、または別のセッションで開始されたものです。何も保存していません。もう一度「サインイン」を押してください。",
  "oauth.result.notOAuth": "このメールボックスのプロファイルは、メールボックスごとに OAuth 2.0 でサインインする設定ではありません。プロファイルの認証プロトコルと資格情報の指定方法を確認してください。",
  "oauth.result.profileIncomplete": "プロファイルの OAuth 2.0 アプリが不完全です: {field} がありません。先にシステム管理者がプロファイルを完成させる必要があります。",
  "oauth.result.noRefreshToken":
    "プロバイダーが更新トークンを発行しなかったため、メールボックスは 1 時間以内に停止します。何も保存していません。Google: アカウントのサードパーティ アクセスから Mailroom を削除してからもう一度サインインしてください。Microsoft: プロファイルのスコープに offline_access を追加してください。",
  "oauth.result.access_denied": "プロバイダーでサインインが取り消されたか、同意が拒否されました。何も保存していません。「サインイン」を押し、要求されたアクセスを承諾してください。",
  "oauth.result.invalid_client":
    "プロバイダーがアプリの資格情報を受け付けませんでした: プロファイルのクライアント ID またはクライアント シークレットが誤っています。システム管理者がプロファイルで修正する必要があります (プロバイダーのコンソールからもう一度コピーしてください)。",
  "oauth.result.redirect_uri_mismatch":
    "プロバイダーがリダイレクト URI を拒否しました: {redirectUri} はこのアプリに登録されていません。プロファイル ページに表示されるとおりに、プロバイダーのコンソールに追加してください (Google: 承認済みのリダイレクト URI、Microsoft: 認証 → Web → リダイレクト URI)。",
  "oauth.result.admin_consent_required":
    "組織では、先に管理者がこのアプリを承認する必要があります (AADSTS65001)。Microsoft Entra の管理者がアプリの「API のアクセス許可」で「管理者の同意を与えます」を押してから、もう一度サインインしてください。",
  "oauth.result.wrong_secret":
    "Microsoft がクライアント シークレットを拒否しました (AADSTS7000215): プロファイルのクライアント シークレットが誤っています。ID ではなくシークレットの値である必要があります。システム管理者がプロファイルで入力し直してください。",
  "oauth.result.expired_secret":
    "アプリのクライアント シークレットの有効期限が切れています (AADSTS7000222)。システム管理者が Microsoft Entra ID の「証明書とシークレット」で新しいシークレットを作成し、プロファイルに入力してください (新しい有効期限も)。",
  "oauth.result.unauthorized_client":
    "プロバイダーは、このアプリにこの方法でのサインインを許可していません (unauthorized_client)。Google: OAuth クライアントの種類は「ウェブ アプリケーション」である必要があり、アプリのみではサービス アカウントに https://mail.google.com/ のドメイン全体の委任が必要です。Microsoft: アプリのサポートされるアカウントの種類を確認してください。",
  "oauth.result.invalid_grant":
    "プロバイダーがサインインのコードまたはトークンを拒否しました (invalid_grant): 期限切れ、使用済み、またはアクセスが取り消されています。もう一度「サインイン」を押してください。繰り返す場合は、このコンピューターの時計が正しいか確認してください。",
  "oauth.result.invalid_scope": "プロバイダーがプロファイルのスコープを拒否しました。システム管理者がプロバイダーのドキュメントと照らしてプロファイルのスコープを確認してください (自動入力された値は正しいものです)。",
  "oauth.result.app_not_found":
    "Microsoft はこのテナントでこのアプリを認識していません (AADSTS700016): プロファイルのクライアント ID またはテナントが誤っているか、アプリがまだこのテナントで同意されていません。",
  "oauth.result.unavailable": "プロバイダーに接続できないか、エラーが返されました。何も保存していません。数分後にもう一度お試しください。",
  "oauth.result.unknown": "プロバイダーがサインインを拒否しました ({error})。何も保存していません。技術的な詳細はサーバー ログにあります。",

  "oauth.alert.signInAgain": "もう一度サインイン",

  "basicAuth.title": "Google と Microsoft 365 へのパスワード サインイン",
  "basicAuth.intro":
    "Google または Microsoft 365 のサーバーにまだパスワードを送っているメールボックスです。両プロバイダーともパスワードを廃止しつつあります。プロファイルを OAuth 2.0 に切り替えてください。",
  "basicAuth.empty": "Google または Microsoft 365 にパスワードでサインインしているメールボックスはありません。",
  "basicAuth.col.mailbox": "メールボックス",
  "basicAuth.col.profile": "プロファイル",
  "basicAuth.col.directions": "パスワードを使う方向",
  "basicAuth.col.status": "プロバイダーの状況",
  "basicAuth.direction.incoming": "受信 ({protocol})",
  "basicAuth.direction.outgoing": "送信 (SMTP)",
  "basicAuth.status.microsoftIncoming": "拒否: Microsoft は 2022 年に IMAP と POP のパスワード認証を無効にしました。",
  "basicAuth.status.microsoftSmtp": "パスワードによる SMTP AUTH は 2026 年 12 月末から既定で無効です (応答 550 5.7.30)。",
  "basicAuth.status.google": "2024 年から拒否 (2 段階認証プロセスのアカウントのアプリ パスワードを除く)。",
  "basicAuth.switch": "プロファイルを OAuth 2.0 に切り替える",
  "basicAuth.flag": "{provider} にパスワードでサインインしています。パスワード サインインのレポートを参照してください。",
};
