import { formatDateTime } from "@/lib/i18n/format";
import type { ReactNode } from "react";
import type { Translate } from "@/lib/i18n/translate";
import type { ProfileView } from "@/lib/profiles/profile-view";

/** Every setting of a profile, read-only, passwords only as "set" / "not set". */
/** The OAuth app's settings; its secrets only as set / not set. */
function oauthRows(p: ProfileView, t: Translate, setOrNot: (b: boolean) => string): [string, string, ReactNode][] {
  const rows: [string, string, ReactNode][] = [];
  const appOnly = p.credentialMode === "profile";
  if (p.oauthProvider === "microsoft") {
    rows.push(["oauthTenant", t("oauth.field.tenant"), p.oauthTenant ?? "—"], ["oauthCloud", t("oauth.field.cloud"), t(`oauth.cloud.${p.oauthCloud ?? "global"}`)]);
  }
  if (p.oauthProvider === "google" && appOnly) {
    rows.push(["oauthServiceAccountKey", t("oauth.field.serviceAccountKey"), setOrNot(p.oauthServiceAccountKeySet)]);
  } else {
    rows.push(["oauthClientId", t("oauth.field.clientId"), p.oauthClientId ?? "—"], ["oauthClientSecret", t("oauth.field.clientSecret"), setOrNot(p.oauthClientSecretSet)]);
    if (p.oauthProvider === "microsoft" && appOnly) rows.push(["oauthCertificate", t("oauth.field.certificatePem"), setOrNot(p.oauthCertificateSet)]);
    rows.push(["oauthSecretExpiresAt", t("oauth.field.secretExpiresAt"), p.oauthSecretExpiresAt ? p.oauthSecretExpiresAt.toISOString().slice(0, 10) : "—"]);
  }
  if (!appOnly) rows.push(["oauthAuthorizationUrl", t("oauth.field.authorizationUrl"), p.oauthAuthorizationUrl ?? "—"]);
  rows.push(
    ["oauthTokenUrl", t("oauth.field.tokenUrl"), p.oauthTokenUrl ?? "—"],
    ["oauthRevocationUrl", t("oauth.field.revocationUrl"), p.oauthRevocationUrl || "—"],
    ["oauthUserinfoUrl", t("oauth.field.userinfoUrl"), p.oauthUserinfoUrl || "—"],
    ["oauthScopes", t("oauth.field.scopes"), p.oauthScopes ?? "—"],
  );
  return rows;
}

export function ProfileDetails({ p, t, locale, timeZone }: { p: ProfileView; t: Translate; locale: string; timeZone?: string }) {
  const yesNo = (b: boolean) => (b ? t("profiles.yes") : t("profiles.no"));
  const setOrNot = (b: boolean) => (b ? t("profiles.passwordSet") : t("profiles.passwordNotSet"));
  const rows: [string, string, ReactNode][] = [
    ["serverType", t("profiles.field.serverType"), t(`profiles.serverType.${p.serverType}`)],
    ["incomingProtocol", t("profiles.field.incomingProtocol"), t(`profiles.protocol.${p.incomingProtocol}`)],
    ["description", t("profiles.field.description"), p.description || "—"],
    ["ownerId", t("profiles.field.ownerId"), p.ownerName ?? t("profiles.noOwner")],
    ["incomingHost", t("profiles.field.incomingHost"), p.incomingHost],
    ["outgoingHost", t("profiles.field.outgoingHost"), p.outgoingHost],
    ["credentialMode", t("profiles.field.credentialMode"), t(`profiles.mode.${p.credentialMode}`)],
  ];
  if (p.credentialMode === "profile") {
    rows.push(
      ["userName", t("profiles.field.userName"), p.userName ?? "—"],
      ["password", t("profiles.field.password"), setOrNot(p.passwordSet)],
      ["useSameForOutgoing", t("profiles.field.useSameForOutgoing"), yesNo(p.useSameForOutgoing)],
    );
    if (!p.useSameForOutgoing) {
      rows.push(
        ["outgoingUserName", t("profiles.field.outgoingUserName"), p.outgoingUserName ?? "—"],
        ["outgoingPassword", t("profiles.field.outgoingPassword"), setOrNot(p.outgoingPasswordSet)],
      );
    }
  }
  if (p.oauthProvider) rows.push(...oauthRows(p, t, setOrNot));
  rows.push(
    ["incomingPort", t("profiles.field.incomingPort"), String(p.incomingPort)],
    ["outgoingPort", t("profiles.field.outgoingPort"), String(p.outgoingPort)],
    ["incomingTls", t("profiles.field.incomingTls"), yesNo(p.incomingTls)],
    ["outgoingTls", t("profiles.field.outgoingTls"), yesNo(p.outgoingTls)],
    ["incomingAuthMethod", t("profiles.field.incomingAuthMethod"), t(`profiles.auth.${p.incomingAuthMethod}`)],
    ["outgoingAuthMethod", t("profiles.field.outgoingAuthMethod"), t(`profiles.auth.${p.outgoingAuthMethod}`)],
    ["processEmailFrom", t("profiles.field.processEmailFrom"), formatDateTime(p.processEmailFrom, locale, { timeZone, year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" })],
    ["minPollingIntervalMinutes", t("profiles.field.minPollingIntervalMinutes"), String(p.minPollingIntervalMinutes)],
    ["maxConnections", t("profiles.field.maxConnections"), String(p.maxConnections)],
    ["slowMailMinutes", t("profiles.field.slowMailMinutes"), p.slowMailMinutes === null ? t("monitoring.none") : String(p.slowMailMinutes)],
    ["isDefault", t("profiles.field.isDefault"), yesNo(p.isDefault)],
    ["allowUnencrypted", t("profiles.field.allowUnencrypted"), yesNo(p.allowUnencrypted)],
    ["pushEnabled", t("profiles.field.pushEnabled"), yesNo(p.pushEnabled)],
    ["appendSentToImap", t("profiles.field.appendSentToImap"), yesNo(p.appendSentToImap)],
    ["afterFetchAction", t("profiles.field.afterFetchAction"), p.afterFetchAction === "move" ? `${t("profiles.afterFetch.move")}: ${p.afterFetchFolder ?? ""}` : t(`profiles.afterFetch.${p.afterFetchAction}`)],
    ["mailboxCount", t("profiles.col.mailboxes"), String(p.mailboxCount)],
  );
  return (
    <dl className="grid max-w-3xl grid-cols-1 gap-x-6 gap-y-2 rounded border border-slate-200 bg-white p-4 text-sm md:grid-cols-[16rem_1fr]">
      {rows.map(([key, label, value]) => (
        <div key={key} className="contents">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd data-testid={`detail-${key}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
