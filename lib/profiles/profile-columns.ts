import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { profiles, type NewProfile } from "../../db/schema/profiles";
import { sealContext } from "../crypto/seal-context";
import { sealSecret } from "../crypto/seal-secret";
import { AppError } from "../errors";
import { postgresErrorOf } from "../postgres-error";
import type { ProfileInput, SecretChange } from "./profile-input";
import { msg } from "../i18n/message";

/**
 * The columns a validated profile writes to row `id`. Passwords are sealed here,
 * bound to that row and their column; a "keep"
 * leaves the stored column out of the write. `isDefault` is left to
 * writeDefaultProfile, which keeps it exclusive.
 */
export function profileColumns(p: ProfileInput, id: string): Omit<NewProfile, "id" | "isDefault" | "createdAt"> {
  const sealed = (change: SecretChange, column: AnyPgColumn) => sealedChange(change, column, id);
  const columns: Omit<NewProfile, "id" | "isDefault" | "createdAt"> = {
    allowUnencrypted: p.allowUnencrypted,
    pushEnabled: p.pushEnabled,
    appendSentToImap: p.appendSentToImap,
    afterFetchAction: p.afterFetchAction,
    afterFetchFolder: p.afterFetchFolder,
    name: p.name,
    description: p.description,
    ownerId: p.ownerId,
    serverType: p.serverType,
    incomingProtocol: p.incomingProtocol,
    incomingHost: p.incomingHost,
    outgoingHost: p.outgoingHost,
    credentialMode: p.credentialMode,
    userName: p.userName,
    useSameForOutgoing: p.useSameForOutgoing,
    outgoingUserName: p.outgoingUserName,
    incomingPort: p.incomingPort,
    outgoingPort: p.outgoingPort,
    incomingTls: p.incomingTls,
    outgoingTls: p.outgoingTls,
    incomingAuthMethod: p.incomingAuthMethod,
    outgoingAuthMethod: p.outgoingAuthMethod,
    minPollingIntervalMinutes: p.minPollingIntervalMinutes,
    maxConnections: p.maxConnections,
    slowMailMinutes: p.slowMailMinutes,
    updatedAt: new Date(),
  };
  Object.assign(columns, oauthColumns(p, id));
  if (p.processEmailFrom) columns.processEmailFrom = p.processEmailFrom;
  const password = sealed(p.password, profiles.passwordSealed);
  if (password !== undefined) columns.passwordSealed = password;
  const outgoing = sealed(p.outgoingPassword, profiles.outgoingPasswordSealed);
  if (outgoing !== undefined) columns.outgoingPasswordSealed = outgoing;
  return columns;
}

/** The OAuth app's columns: all null when the profile does not use OAuth 2.0; secrets sealed, "keep" left out. */
function oauthColumns(p: ProfileInput, id: string): Partial<NewProfile> {
  const sealed = (change: SecretChange, column: AnyPgColumn) => sealedChange(change, column, id);
  const o = p.oauth;
  const columns: Partial<NewProfile> = {
    oauthProvider: o?.provider ?? null,
    oauthClientId: o?.clientId ?? null,
    oauthTenant: o?.tenant ?? null,
    oauthCloud: o?.cloud ?? null,
    oauthAuthorizationUrl: o?.authorizationUrl ?? null,
    oauthTokenUrl: o?.tokenUrl ?? null,
    oauthRevocationUrl: o?.revocationUrl ?? null,
    oauthUserinfoUrl: o?.userinfoUrl ?? null,
    oauthScopes: o?.scopes ?? null,
    oauthSecretExpiresAt: o?.secretExpiresAt ?? null,
  };
  const clear: SecretChange = { kind: "clear" };
  const secret = sealed(o?.clientSecret ?? clear, profiles.oauthClientSecretSealed);
  if (secret !== undefined) columns.oauthClientSecretSealed = secret;
  const certificate = sealed(o?.certificate ?? clear, profiles.oauthClientCertificateSealed);
  if (certificate !== undefined) columns.oauthClientCertificateSealed = certificate;
  const key = sealed(o?.serviceAccountKey ?? clear, profiles.oauthServiceAccountKeySealed);
  if (key !== undefined) columns.oauthServiceAccountKeySealed = key;
  return columns;
}

function sealedChange(change: SecretChange, column: AnyPgColumn, id: string): string | null | undefined {
  if (change.kind === "keep") return undefined;
  if (change.kind === "clear") return null;
  return sealSecret(change.value, sealContext(column, id));
}

/** Turns the database's refusals of a profile write into field errors the form can show; rethrows anything else. */
export function rethrowProfileWriteError(err: unknown, name: string): never {
  const pg = postgresErrorOf(err);
  if (pg?.code === "23505" && pg.constraint === "profiles_name_unique") {
    throw new AppError("invalid", msg("error.profile.notSaved"), { fieldErrors: { name: [msg("error.profile.nameTaken", { name })] } });
  }
  if (pg?.code === "23503" && pg.constraint === "profiles_owner_id_users_id_fk") {
    throw new AppError("invalid", msg("error.profile.notSaved"), { fieldErrors: { ownerId: [msg("error.profile.ownerGone")] } });
  }
  throw err;
}
