"use client";
import { useState } from "react";
import { CheckboxField } from "@/components/form/checkbox-field";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { allPresetScopes, isPresetEndpoint, oauthClouds, presetEndpoints, presetScopes, type OAuthCloud, type OAuthEndpoints, type OAuthProvider } from "@/lib/oauth/oauth-presets";
import type { ProfileText } from "./profile-text";

/** The OAuth app part of the form's starting values; secrets only as set / not set. */
export type OAuthFormInitial = {
  oauthClientId: string;
  oauthClientSecretSet: boolean;
  oauthCertificateSet: boolean;
  oauthServiceAccountKeySet: boolean;
  oauthTenant: string;
  oauthCloud: OAuthCloud;
  oauthAuthorizationUrl: string;
  oauthTokenUrl: string;
  oauthRevocationUrl: string;
  oauthUserinfoUrl: string;
  oauthScopes: string;
  /** YYYY-MM-DD or "". */
  oauthSecretExpiresAt: string;
};

const endpointFields = [
  ["oauthAuthorizationUrl", "authorizationUrl"],
  ["oauthTokenUrl", "tokenUrl"],
  ["oauthRevocationUrl", "revocationUrl"],
  ["oauthUserinfoUrl", "userinfoUrl"],
] as const;

const presetScopeValues = allPresetScopes();

/**
 * The profile's OAuth 2.0 app (shown when a direction uses OAuth 2.0). Endpoints
 * and scopes are prefilled for Google and Microsoft and follow the tenant, cloud
 * and credential mode, but a value the admin typed is kept. Secrets, the
 * certificate and the service account key are write-only like passwords.
 */
export function OAuthFields({
  provider,
  appOnly,
  cloud,
  onCloudChange,
  initial,
  editing,
  locked,
  redirectUri,
  redirectUriFromRequest,
  fe,
  tx,
}: {
  provider: OAuthProvider;
  appOnly: boolean;
  cloud: OAuthCloud;
  onCloudChange: (cloud: OAuthCloud) => void;
  initial: OAuthFormInitial;
  editing: boolean;
  locked: boolean;
  redirectUri: string;
  redirectUriFromRequest: boolean;
  fe: Record<string, string[] | undefined>;
  tx: ProfileText;
}) {
  const [tenant, setTenant] = useState(initial.oauthTenant);
  // What was filled for the current provider/tenant/cloud/mode; recomputed while rendering so it follows them.
  const preset = presetEndpoints(provider, { tenant, cloud });
  const [typedEndpoints, setTypedEndpoints] = useState<Partial<OAuthEndpoints>>(() => {
    const typed: Partial<OAuthEndpoints> = {};
    for (const [field, key] of endpointFields) if (initial[field] && !isPresetEndpoint(initial[field])) typed[key] = initial[field];
    return typed;
  });
  const [typedScopes, setTypedScopes] = useState<string | null>(() => (initial.oauthScopes && !presetScopeValues.has(initial.oauthScopes) ? initial.oauthScopes : null));
  const scopes = typedScopes ?? presetScopes(provider, appOnly ? "profile" : "mailbox", cloud);
  const googleAppOnly = provider === "google" && appOnly;
  const microsoft = provider === "microsoft";
  const label = (k: string) => tx[`oauth.field.${k}` as keyof ProfileText];
  const help = (k: string) => tx[`oauth.help.${k}` as keyof ProfileText];
  /** "Stored …: set / not set", and on an edit with one stored, the box that clears it. */
  const stored = (statusKey: "oauth.secretStatus" | "oauth.certificateStatus" | "oauth.serviceAccountKeyStatus", set: boolean, testId: string, clear: "ClientSecret" | "Certificate" | "ServiceAccountKey") => (
    <>
      <span data-testid={testId} className="text-xs text-slate-600">
        {tx[statusKey].replace("{status}", set ? tx["profiles.passwordSet"] : tx["profiles.passwordNotSet"])}
      </span>
      {editing && set ? (
        <CheckboxField name={`clearOauth${clear}`} label={label(`clear${clear}`)} help={help(`clear${clear}`)} errors={fe[`clearOauth${clear}`]} disabled={locked} />
      ) : null}
    </>
  );
  return (
    <fieldset data-testid="oauth-app" className="grid gap-4 rounded border border-slate-200 bg-white p-4 md:grid-cols-2">
      <legend className="px-1 text-sm font-semibold">{tx["oauth.section"]}</legend>
      <p className="text-sm text-slate-600 md:col-span-2">{tx[`oauth.intro.${provider}`]}</p>
      {!appOnly ? (
        <div className="flex flex-col gap-1 rounded border border-blue-200 bg-blue-50 p-3 text-sm md:col-span-2">
          <span className="font-medium">{tx["oauth.redirectUri"]}</span>
          <code data-testid="redirect-uri" className="select-all break-all rounded bg-white px-2 py-1">
            {redirectUri}
          </code>
          <span className="text-slate-700">{tx["oauth.redirectUriHelp"]}</span>
          {redirectUriFromRequest ? <span className="text-amber-800">{tx["oauth.redirectUriFromRequest"]}</span> : null}
        </div>
      ) : null}
      <p data-testid="oauth-mode-help" className="text-sm text-slate-700 md:col-span-2">
        {appOnly ? (provider === "google" ? tx["oauth.appOnly.google"] : microsoft ? tx["oauth.appOnly.microsoft"] : null) : tx["oauth.delegated"]}
      </p>
      {locked ? (
        <p role="note" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 md:col-span-2">
          {tx["profiles.insecureChannel"]}
        </p>
      ) : null}

      {microsoft ? (
        <>
          <Field name="oauthTenant" label={label("tenant")} help={help("tenant")} errors={fe.oauthTenant}>
            <input {...describedBy("oauthTenant", fe.oauthTenant, help("tenant"))} value={tenant} onChange={(e) => setTenant(e.target.value)} placeholder="organizations" autoComplete="off" className={inputClass} />
          </Field>
          <Field name="oauthCloud" label={label("cloud")} help={help("cloud")} errors={fe.oauthCloud}>
            <select {...describedBy("oauthCloud", fe.oauthCloud, help("cloud"))} value={cloud} onChange={(e) => onCloudChange(e.target.value as OAuthCloud)} className={inputClass}>
              {oauthClouds.map((c) => (
                <option key={c} value={c}>
                  {tx[`oauth.cloud.${c}`]}
                </option>
              ))}
            </select>
          </Field>
        </>
      ) : null}

      {!googleAppOnly ? (
        <>
          <div className="md:col-span-2">
            <Field name="oauthClientId" label={label("clientId")} help={help(`clientId.${provider}`)} errors={fe.oauthClientId}>
              <input {...describedBy("oauthClientId", fe.oauthClientId, help(`clientId.${provider}`))} defaultValue={initial.oauthClientId} autoComplete="off" className={inputClass} />
            </Field>
          </div>
          <div className="flex flex-col gap-2">
            <Field name="oauthClientSecret" label={label("clientSecret")} help={help("clientSecret")} errors={fe.oauthClientSecret}>
              <input {...describedBy("oauthClientSecret", fe.oauthClientSecret, help("clientSecret"))} type="password" autoComplete="new-password" disabled={locked} className={inputClass} />
            </Field>
            {stored("oauth.secretStatus", initial.oauthClientSecretSet, "client-secret-status", "ClientSecret")}
          </div>
          <Field name="oauthSecretExpiresAt" label={label("secretExpiresAt")} help={help("secretExpiresAt")} errors={fe.oauthSecretExpiresAt}>
            <input {...describedBy("oauthSecretExpiresAt", fe.oauthSecretExpiresAt, help("secretExpiresAt"))} type="date" defaultValue={initial.oauthSecretExpiresAt} className={inputClass} />
          </Field>
        </>
      ) : null}

      {microsoft && appOnly ? (
        <>
          <Field name="oauthCertificatePem" label={label("certificatePem")} help={help("certificatePem")} errors={fe.oauthCertificatePem}>
            <textarea {...describedBy("oauthCertificatePem", fe.oauthCertificatePem, help("certificatePem"))} rows={4} disabled={locked} spellCheck={false} className={`${inputClass} font-mono text-xs`} />
          </Field>
          <div className="flex flex-col gap-2">
            <Field name="oauthPrivateKeyPem" label={label("privateKeyPem")} help={help("privateKeyPem")} errors={fe.oauthPrivateKeyPem}>
              <textarea {...describedBy("oauthPrivateKeyPem", fe.oauthPrivateKeyPem, help("privateKeyPem"))} rows={4} disabled={locked} spellCheck={false} autoComplete="off" className={`${inputClass} font-mono text-xs`} />
            </Field>
            {stored("oauth.certificateStatus", initial.oauthCertificateSet, "certificate-status", "Certificate")}
          </div>
        </>
      ) : null}

      {googleAppOnly ? (
        <div className="flex flex-col gap-2 md:col-span-2">
          <Field name="oauthServiceAccountKey" label={label("serviceAccountKey")} help={help("serviceAccountKey")} errors={fe.oauthServiceAccountKey}>
            <textarea {...describedBy("oauthServiceAccountKey", fe.oauthServiceAccountKey, help("serviceAccountKey"))} rows={5} disabled={locked} spellCheck={false} autoComplete="off" className={`${inputClass} font-mono text-xs`} />
          </Field>
          {stored("oauth.serviceAccountKeyStatus", initial.oauthServiceAccountKeySet, "service-account-key-status", "ServiceAccountKey")}
        </div>
      ) : null}

      {endpointFields
        .filter(([field]) => !(appOnly && field === "oauthAuthorizationUrl"))
        .map(([field, key]) => (
          <Field key={field} name={field} label={label(key)} help={help(key)} errors={fe[field]}>
            <input
              {...describedBy(field, fe[field], help(key))}
              type="url"
              value={typedEndpoints[key] ?? preset[key]}
              onChange={(e) => setTypedEndpoints((prev) => ({ ...prev, [key]: e.target.value }))}
              placeholder="https://"
              autoComplete="off"
              className={inputClass}
            />
          </Field>
        ))}
      <div className="md:col-span-2">
        <Field name="oauthScopes" label={label("scopes")} help={help("scopes")} errors={fe.oauthScopes}>
          <input {...describedBy("oauthScopes", fe.oauthScopes, help("scopes"))} value={scopes} onChange={(e) => setTypedScopes(e.target.value)} autoComplete="off" className={inputClass} />
        </Field>
      </div>
    </fieldset>
  );
}
