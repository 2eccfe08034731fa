import { formatDateTime } from "@/lib/i18n/format";
import type { MessageKey } from "@/lib/i18n/catalog";
import type { Translate } from "@/lib/i18n/translate";
import type { OAuthConnectionView } from "@/lib/oauth/find-oauth-connection";
import { signInHref } from "@/lib/oauth/redirect-uri";
import type { SignInOutcome } from "@/lib/oauth/sign-in-outcome";
import { disconnectOAuthAction } from "./oauth-actions";

// A profile field named by an outcome ("{field} is missing"), as its form label.
const fieldLabels: Record<string, MessageKey> = {
  oauthClientId: "oauth.field.clientId",
  oauthClientSecret: "oauth.field.clientSecret",
  oauthCertificatePem: "oauth.field.certificatePem",
  oauthPrivateKeyPem: "oauth.field.privateKeyPem",
  oauthServiceAccountKey: "oauth.field.serviceAccountKey",
  oauthTenant: "oauth.field.tenant",
  oauthAuthorizationUrl: "oauth.field.authorizationUrl",
  oauthTokenUrl: "oauth.field.tokenUrl",
  oauthRevocationUrl: "oauth.field.revocationUrl",
  oauthUserinfoUrl: "oauth.field.userinfoUrl",
  oauthScopes: "oauth.field.scopes",
};

/** The text of a sign-in outcome in the reader's language. */
export function outcomeText(t: Translate, outcome: SignInOutcome): string {
  const params = { ...outcome.params };
  if (typeof params.field === "string" && fieldLabels[params.field]) params.field = t(fieldLabels[params.field]);
  return t(outcome.key, params);
}

/**
 * The mailbox's OAuth 2.0 sign-in (SPEC §3): "Connected as … since …" or not
 * connected, "Sign in with Google / Microsoft" for those who may, and Disconnect.
 * App-only profiles only say that the profile's app signs in.
 */
export function OAuthPanel({
  mailboxId,
  address,
  view,
  canConnect,
  t,
  locale,
  timeZone,
}: {
  mailboxId: string;
  address: string;
  view: OAuthConnectionView;
  canConnect: boolean;
  t: Translate;
  locale: string;
  timeZone?: string;
}) {
  const date = (d: Date) => formatDateTime(d, locale, { dateStyle: "medium", timeStyle: "short", timeZone });
  const c = view.connection;
  const providerName = view.provider === "generic" ? t("oauth.provider.generic") : t(`oauth.provider.${view.provider}`);
  return (
    <section aria-labelledby="oauth" data-testid="oauth-panel" className="flex flex-col gap-3 rounded bg-white p-4 shadow-sm">
      <h2 id="oauth" className="text-lg font-semibold">{t("oauth.connection.title")}</h2>
      {view.mode === "app" ? (
        <p className="text-sm text-slate-700">{t("oauth.connection.appOnly", { account: address })}</p>
      ) : (
        <>
          {c ? (
            <p data-testid="oauth-connected" className="text-sm font-medium text-green-800">
              {t("oauth.connection.connected", { account: c.account ?? "?", date: date(c.connectedAt) })}
            </p>
          ) : (
            <p data-testid="oauth-not-connected" className="text-sm text-amber-800">
              {t("oauth.connection.notConnected")}
            </p>
          )}
          {c?.lastErrorCode && c.lastErrorAt ? (
            <p data-testid="oauth-last-error" className="text-sm text-red-800">
              {t("oauth.connection.lastError", { code: c.lastErrorCode, date: date(c.lastErrorAt) })}
            </p>
          ) : null}
          {canConnect ? (
            // A plain <a>, not <Link>: the start route is a route handler and must never be prefetched.
            <div className="flex flex-wrap items-center gap-3">
              <a href={signInHref(mailboxId)} className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">
                {t(`oauth.signIn.${view.provider}`)}
              </a>
              {c ? (
                <form action={disconnectOAuthAction}>
                  <input type="hidden" name="mailboxId" value={mailboxId} />
                  <button type="submit" title={t("oauth.disconnectHelp")} className="rounded border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50">
                    {t("oauth.disconnect")}
                  </button>
                </form>
              ) : null}
              <span className="text-xs text-slate-600">{t("oauth.connection.howTo", { address, provider: providerName })}</span>
            </div>
          ) : (
            <p className="text-xs text-slate-600">{t("oauth.connection.notAllowed")}</p>
          )}
        </>
      )}
    </section>
  );
}

/** The outcome of the sign-in or disconnect just made, at the top of the mailbox page. */
export function OAuthOutcomeBanner({ outcome, t }: { outcome: SignInOutcome; t: Translate }) {
  const ok = outcome.key === "oauth.result.connected" || outcome.key === "oauth.result.disconnected";
  return (
    <p
      role={ok ? "status" : "alert"}
      data-testid="oauth-outcome"
      data-outcome={outcome.key.replace(/^oauth\.result\./, "")}
      className={`rounded border px-3 py-2 text-sm ${ok ? "border-green-200 bg-green-50 text-green-900" : "border-red-200 bg-red-50 text-red-900"}`}
    >
      {outcomeText(t, outcome)}
    </p>
  );
}
