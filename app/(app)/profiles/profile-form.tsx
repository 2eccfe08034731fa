"use client";
import { startTransition, useActionState, useEffect, useState, type FormEvent } from "react";
import { CheckboxField } from "@/components/form/checkbox-field";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { SearchPicker, type PickerChoice } from "@/components/form/search-picker";
import { pickerDescribedBy } from "@/components/form/picker-described-by";
import { searchOwnersAction } from "../picker-actions";
import { FormStatus } from "@/components/form/form-status";
import { initialActionState, type ActionState } from "@/lib/server/action-state";
import { providerForServerType, type OAuthCloud } from "@/lib/oauth/oauth-presets";
import { defaultIncomingPort, defaultOutgoingPort, fillProfileDefaults, gmailServers, hasFixedServers, microsoft365Servers, serverTypes, type IncomingProtocol, type ServerType } from "@/lib/profiles/fill-profile-defaults";
import { afterFetchActions, authMethods, credentialModes, defaultAuthMethod, type AfterFetchAction } from "@/lib/profiles/profile-input";
import type { DiscoveredSettings } from "@/lib/discovery/discovered-settings";
import { DiscoveryPanel } from "./discovery-panel";
import { OAuthFields, type OAuthFormInitial } from "./oauth-fields";
import type { ProfileText } from "./profile-text";

/** What the form starts from: a stored profile's settings (never its passwords), or the defaults for a new one. */
export type ProfileFormInitial = OAuthFormInitial & {
  id?: string;
  name: string;
  description: string;
  ownerId: string;
  serverType: ServerType;
  incomingProtocol: IncomingProtocol;
  incomingHost: string;
  outgoingHost: string;
  credentialMode: (typeof credentialModes)[number];
  userName: string;
  passwordSet: boolean;
  useSameForOutgoing: boolean;
  outgoingUserName: string;
  outgoingPasswordSet: boolean;
  incomingPort: string;
  outgoingPort: string;
  incomingTls: boolean;
  outgoingTls: boolean;
  incomingAuthMethod: string;
  outgoingAuthMethod: string;
  /** ISO with offset, or "" (new profile: now). */
  processEmailFrom: string;
  minPollingIntervalMinutes: string;
  maxConnections: string;
  slowMailMinutes: string;
  isDefault: boolean;
  allowUnencrypted: boolean;
  pushEnabled: boolean;
  appendSentToImap: boolean;
  afterFetchAction: AfterFetchAction;
  afterFetchFolder: string;
};

type Location = Pick<ProfileFormInitial, "serverType" | "incomingProtocol" | "incomingHost" | "outgoingHost" | "incomingPort" | "outgoingPort" | "incomingTls" | "outgoingTls" | "oauthCloud">;

/** Gmail's or Microsoft 365's servers shown in the form as the server will store them (fillProfileDefaults). */
function withFixedServers(l: Location): Location {
  const { incomingPort, outgoingPort, ...rest } = fillProfileDefaults({ ...l, incomingPort: null as number | null, outgoingPort: null as number | null });
  return { ...rest, incomingPort: String(incomingPort), outgoingPort: String(outgoingPort) };
}

const fixedServers = [gmailServers, ...Object.values(microsoft365Servers)].flatMap((s) => [s.imap, s.pop3, s.smtp]);
const fixedHosts = new Set<string>(fixedServers.map((s) => s.host));
const fixedPorts = new Set<string>(fixedServers.map((s) => String(s.port)));

/** "2026-01-31T09:00" in the browser's time zone, for a datetime-local input. */
function isoToLocal(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Create or edit an email server profile. Gmail's locations, ports and SSL are
 * filled in as soon as it is chosen; blank POP3/SMTP ports show the port the
 * server will fill in. Password inputs are never pre-filled: the form shows
 * "set" / "not set", blank keeps the stored one, and "clear" removes it.
 */
export function ProfileForm({
  action: serverAction,
  initial,
  owner,
  credentialsLocked,
  text: tx,
  redirectUri,
  redirectUriFromRequest,
}: {
  action: (prev: ActionState, fd: FormData) => Promise<ActionState>;
  initial: ProfileFormInitial;
  /** The current owner as the picker shows it (the picker asks the server for others). */
  owner: PickerChoice | null;
  /** Plain HTTP without the deployment's permission: user name and password are disabled (the server refuses them too). */
  credentialsLocked: boolean;
  text: ProfileText;
  /** The OAuth redirect URI to register with the provider (from MAILROOM_PUBLIC_URL, or this request's origin). */
  redirectUri: string;
  redirectUriFromRequest: boolean;
}) {
  const [state, dispatch, pending] = useActionState(serverAction, initialActionState);
  const fe = state.fieldErrors ?? {};
  const editing = !!initial.id;

  const [loc, setLoc] = useState<Location>(() => (hasFixedServers(initial.serverType) ? withFixedServers(initial) : initial));
  const [authMethod, setAuthMethod] = useState({ incomingAuthMethod: initial.incomingAuthMethod, outgoingAuthMethod: initial.outgoingAuthMethod });
  const [mode, setMode] = useState(initial.credentialMode);
  const [sameForOutgoing, setSameForOutgoing] = useState(initial.useSameForOutgoing);
  // The server's error about the mode applies to the mode last submitted, not to a new choice.
  const [submittedMode, setSubmittedMode] = useState<string | null>(null);
  // The date is shown in the browser's time zone, so it is filled in after hydration;
  // an untouched value is sent back exactly as stored.
  const [processFromLocal, setProcessFromLocal] = useState("");
  const [processFromTouched, setProcessFromTouched] = useState(false);
  useEffect(() => {
    if (initial.processEmailFrom) setProcessFromLocal(isoToLocal(initial.processEmailFrom));
  }, [initial.processEmailFrom]);
  const processFromIso = !processFromTouched ? initial.processEmailFrom : processFromLocal ? new Date(processFromLocal).toISOString() : "";

  // "gmail" names the fixed-server case (Gmail or Microsoft 365): locations, ports and SSL are filled and read-only.
  const gmail = hasFixedServers(loc.serverType);
  const change = (patch: Partial<Location>) => {
    if (patch.serverType && hasFixedServers(patch.serverType) && patch.serverType !== loc.serverType) {
      // Google and Microsoft refuse passwords: a newly chosen Gmail or Microsoft 365 signs in with OAuth 2.0.
      setAuthMethod({ incomingAuthMethod: defaultAuthMethod(patch.serverType), outgoingAuthMethod: defaultAuthMethod(patch.serverType) });
    }
    setLoc((prev) => {
      const next = { ...prev, ...patch };
      if (hasFixedServers(next.serverType)) return withFixedServers(next);
      if (hasFixedServers(prev.serverType)) {
        // Leaving Gmail or Microsoft 365: their servers would be wrong for another system.
        return {
          ...next,
          incomingHost: fixedHosts.has(next.incomingHost) ? "" : next.incomingHost,
          outgoingHost: fixedHosts.has(next.outgoingHost) ? "" : next.outgoingHost,
          incomingPort: fixedPorts.has(next.incomingPort) ? "" : next.incomingPort,
          outgoingPort: fixedPorts.has(next.outgoingPort) ? "" : next.outgoingPort,
        };
      }
      return next;
    });
  };
  // Settings discovery fills the location fields only when the admin applies a proposal; saving stays a separate step.
  const [appliedFrom, setAppliedFrom] = useState<string | null>(null);
  const applyDiscovered = (p: DiscoveredSettings, sourceLabel: string) => {
    if (p.serverType !== "pop3smtp") {
      change({ serverType: p.serverType, ...(p.incoming ? { incomingProtocol: p.incoming.protocol as IncomingProtocol } : {}) });
    } else {
      // Two steps: leaving Gmail or Microsoft 365 first clears their servers, then the proposal's go in.
      change({ serverType: "pop3smtp" });
      change({
        ...(p.incoming
          ? { incomingProtocol: p.incoming.protocol as IncomingProtocol, incomingHost: p.incoming.host, incomingPort: String(p.incoming.port), incomingTls: p.incoming.socketType === "ssl" }
          : {}),
        ...(p.outgoing ? { outgoingHost: p.outgoing.host, outgoingPort: String(p.outgoing.port), outgoingTls: p.outgoing.socketType === "ssl" } : {}),
      });
    }
    setAppliedFrom(sourceLabel);
  };
  const usesOAuth = authMethod.incomingAuthMethod === "xoauth2" || authMethod.outgoingAuthMethod === "xoauth2";
  const passwordsNeeded = authMethod.incomingAuthMethod !== "xoauth2" || authMethod.outgoingAuthMethod !== "xoauth2";

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    // Submitted by hand so React does not reset the form after a refused save.
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    setSubmittedMode(mode);
    startTransition(() => dispatch(fd));
  };

  const modeHint = mode === "windows" ? tx["profiles.hint.windows"] : mode === "anonymous" ? tx["profiles.hint.anonymous"] : null;
  const incomingDefault = defaultIncomingPort(loc.incomingProtocol, loc.incomingTls);
  const outgoingDefault = defaultOutgoingPort(loc.outgoingTls);
  const locked = credentialsLocked;
  const [afterFetch, setAfterFetch] = useState<AfterFetchAction>(initial.afterFetchAction);
  const help = (field: string) => tx[`profiles.help.${field}` as keyof ProfileText];
  const label = (field: string) => tx[`profiles.field.${field}` as keyof ProfileText];

  return (
    <div className="flex flex-col gap-6">
    <DiscoveryPanel tx={tx} onApply={applyDiscovered} />
    <form onSubmit={onSubmit} className="flex max-w-3xl flex-col gap-6" noValidate aria-busy={pending}>
      <FormStatus state={state} />
      {appliedFrom ? (
        <p role="status" data-testid="discovery-applied" className="rounded border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-900">
          {tx["discovery.applied"].replace("{source}", appliedFrom)}
        </p>
      ) : null}
      {editing ? <input type="hidden" name="id" value={initial.id} /> : null}

      <fieldset className="grid gap-4 rounded border border-slate-200 bg-white p-4 md:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{tx["profiles.section.general"]}</legend>
        <Field name="serverType" label={label("serverType")} help={help("serverType")} errors={fe.serverType}>
          <select {...describedBy("serverType", fe.serverType, help("serverType"))} value={loc.serverType} onChange={(e) => change({ serverType: e.target.value as ServerType })} className={inputClass}>
            {serverTypes.map((type) => (
              <option key={type} value={type}>
                {tx[`profiles.serverType.${type}`]}
              </option>
            ))}
          </select>
        </Field>
        <Field name="incomingProtocol" label={label("incomingProtocol")} help={help("incomingProtocol")} errors={fe.incomingProtocol}>
          <select
            {...describedBy("incomingProtocol", fe.incomingProtocol, help("incomingProtocol"))}
            value={loc.incomingProtocol}
            onChange={(e) => change({ incomingProtocol: e.target.value as IncomingProtocol })}
            className={inputClass}
          >
            <option value="imap">{tx["profiles.protocol.imap"]}</option>
            <option value="pop3">{tx["profiles.protocol.pop3"]}</option>
          </select>
        </Field>
        <Field name="name" label={label("name")} help={help("name")} errors={fe.name}>
          <input {...describedBy("name", fe.name, help("name"))} defaultValue={initial.name} maxLength={100} required className={inputClass} />
        </Field>
        <Field name="ownerId" label={label("ownerId")} help={help("ownerId")} errors={fe.ownerId}>
          <SearchPicker
            name="ownerId"
            initial={owner}
            search={searchOwnersAction}
            placeholder={tx["common.picker.searchUsers"]}
            noneLabel={tx["profiles.owner.none"]}
            noMatches={tx["common.picker.noMatches"]}
            {...pickerDescribedBy("ownerId", fe.ownerId, help("ownerId"))}
          />
        </Field>
        <div className="md:col-span-2">
          <Field name="description" label={label("description")} help={help("description")} errors={fe.description}>
            <textarea {...describedBy("description", fe.description, help("description"))} defaultValue={initial.description} rows={2} maxLength={1000} className={inputClass} />
          </Field>
        </div>
        <Field name="incomingHost" label={label("incomingHost")} help={help("incomingHost")} errors={fe.incomingHost}>
          <input
            {...describedBy("incomingHost", fe.incomingHost, help("incomingHost"))}
            value={loc.incomingHost}
            onChange={(e) => change({ incomingHost: e.target.value })}
            readOnly={gmail}
            placeholder="imap.example.com"
            className={inputClass}
          />
        </Field>
        <Field name="outgoingHost" label={label("outgoingHost")} help={help("outgoingHost")} errors={fe.outgoingHost}>
          <input
            {...describedBy("outgoingHost", fe.outgoingHost, help("outgoingHost"))}
            value={loc.outgoingHost}
            onChange={(e) => change({ outgoingHost: e.target.value })}
            readOnly={gmail}
            placeholder="smtp.example.com"
            className={inputClass}
          />
        </Field>
        {gmail ? (
          <p data-testid="gmail-filled" className="text-sm text-slate-600 md:col-span-2">
            {loc.serverType === "gmail" ? tx["profiles.gmailFilled"] : tx["oauth.filled"].replace("{provider}", tx["profiles.serverType.microsoft365"])}
          </p>
        ) : null}
      </fieldset>

      <fieldset className="grid gap-4 rounded border border-slate-200 bg-white p-4 md:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{tx["profiles.section.credentials"]}</legend>
        <div className="md:col-span-2">
          <Field name="credentialMode" label={label("credentialMode")} help={help("credentialMode")} errors={fe.credentialMode}>
            <select
              {...describedBy("credentialMode", fe.credentialMode, help("credentialMode"))}
              value={mode}
              onChange={(e) => setMode(e.target.value as ProfileFormInitial["credentialMode"])}
              className={inputClass}
            >
              {credentialModes.map((m) => (
                <option key={m} value={m}>
                  {tx[`profiles.mode.${m}`]}
                </option>
              ))}
            </select>
          </Field>
          {modeHint && (!fe.credentialMode?.length || mode !== submittedMode) ? (
            <p data-testid="credential-mode-hint" className="mt-1 text-sm text-amber-800">
              {modeHint}
            </p>
          ) : null}
        </div>
        {mode === "profile" && passwordsNeeded ? (
          <>
            {locked ? (
              <p role="note" data-testid="credentials-locked" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 md:col-span-2">
                {tx["profiles.insecureChannel"]}
              </p>
            ) : null}
            <Field name="userName" label={label("userName")} help={help("userName")} errors={fe.userName}>
              <input {...describedBy("userName", fe.userName, help("userName"))} defaultValue={initial.userName} disabled={locked} autoComplete="off" className={inputClass} />
            </Field>
            <div className="flex flex-col gap-2">
              <Field name="password" label={label("password")} help={help("password")} errors={fe.password}>
                <input {...describedBy("password", fe.password, help("password"))} type="password" autoComplete="new-password" disabled={locked} className={inputClass} />
              </Field>
              <PasswordStatus set={initial.passwordSet} testId="password-status" tx={tx} />
              {editing && initial.passwordSet ? (
                <CheckboxField name="clearPassword" label={label("clearPassword")} help={help("clearPassword")} errors={fe.clearPassword} disabled={locked} />
              ) : null}
            </div>
            <div className="md:col-span-2">
              <CheckboxField
                name="useSameForOutgoing"
                label={label("useSameForOutgoing")}
                help={help("useSameForOutgoing")}
                errors={fe.useSameForOutgoing}
                checked={sameForOutgoing}
                onChange={(e) => setSameForOutgoing(e.target.checked)}
              />
            </div>
            {!sameForOutgoing ? (
              <>
                <Field name="outgoingUserName" label={label("outgoingUserName")} help={help("outgoingUserName")} errors={fe.outgoingUserName}>
                  <input
                    {...describedBy("outgoingUserName", fe.outgoingUserName, help("outgoingUserName"))}
                    defaultValue={initial.outgoingUserName}
                    disabled={locked}
                    autoComplete="off"
                    className={inputClass}
                  />
                </Field>
                <div className="flex flex-col gap-2">
                  <Field name="outgoingPassword" label={label("outgoingPassword")} help={help("outgoingPassword")} errors={fe.outgoingPassword}>
                    <input
                      {...describedBy("outgoingPassword", fe.outgoingPassword, help("outgoingPassword"))}
                      type="password"
                      autoComplete="new-password"
                      disabled={locked}
                      className={inputClass}
                    />
                  </Field>
                  <PasswordStatus set={initial.outgoingPasswordSet} testId="outgoing-password-status" tx={tx} />
                  {editing && initial.outgoingPasswordSet ? (
                    <CheckboxField
                      name="clearOutgoingPassword"
                      label={label("clearOutgoingPassword")}
                      help={help("clearOutgoingPassword")}
                      errors={fe.clearOutgoingPassword}
                      disabled={locked}
                    />
                  ) : null}
                </div>
              </>
            ) : null}
          </>
        ) : sameForOutgoing ? (
          // Not shown without profile credentials, but kept as it was.
          <input type="hidden" name="useSameForOutgoing" value="on" />
        ) : null}
      </fieldset>

      <fieldset className="grid gap-4 rounded border border-slate-200 bg-white p-4 md:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{tx["profiles.section.advanced"]}</legend>
        <Field name="incomingPort" label={label("incomingPort")} help={help("incomingPort")} errors={fe.incomingPort}>
          <input
            {...describedBy("incomingPort", fe.incomingPort, help("incomingPort"))}
            inputMode="numeric"
            value={loc.incomingPort}
            onChange={(e) => change({ incomingPort: e.target.value })}
            readOnly={gmail}
            placeholder={String(incomingDefault)}
            className={inputClass}
          />
          {!gmail && loc.incomingPort.trim() === "" ? (
            <span data-testid="incoming-port-default" className="text-xs text-slate-500">
              {tx["profiles.portOnSave"].replace("{port}", String(incomingDefault))}
            </span>
          ) : null}
        </Field>
        <Field name="outgoingPort" label={label("outgoingPort")} help={help("outgoingPort")} errors={fe.outgoingPort}>
          <input
            {...describedBy("outgoingPort", fe.outgoingPort, help("outgoingPort"))}
            inputMode="numeric"
            value={loc.outgoingPort}
            onChange={(e) => change({ outgoingPort: e.target.value })}
            readOnly={gmail}
            placeholder={String(outgoingDefault)}
            className={inputClass}
          />
          {!gmail && loc.outgoingPort.trim() === "" ? (
            <span data-testid="outgoing-port-default" className="text-xs text-slate-500">
              {tx["profiles.portOnSave"].replace("{port}", String(outgoingDefault))}
            </span>
          ) : null}
        </Field>
        <CheckboxField
          name="incomingTls"
          label={label("incomingTls")}
          help={help("incomingTls")}
          errors={fe.incomingTls}
          checked={loc.incomingTls}
          disabled={gmail}
          onChange={(e) => change({ incomingTls: e.target.checked })}
        />
        <CheckboxField
          name="outgoingTls"
          label={label("outgoingTls")}
          help={help("outgoingTls")}
          errors={fe.outgoingTls}
          checked={loc.outgoingTls}
          disabled={gmail}
          onChange={(e) => change({ outgoingTls: e.target.checked })}
        />
        {gmail ? null : (
          // Only admins reach this form (profile:write); the profile and its mailboxes then show a warning.
          <CheckboxField
            name="allowUnencrypted"
            label={label("allowUnencrypted")}
            help={help("allowUnencrypted")}
            errors={fe.allowUnencrypted}
            defaultChecked={initial.allowUnencrypted}
          />
        )}
        {gmail ? (
          // Disabled checkboxes are not submitted; the fixed servers' TLS is sent as filled.
          <>
            {loc.incomingTls ? <input type="hidden" name="incomingTls" value="on" /> : null}
            {loc.outgoingTls ? <input type="hidden" name="outgoingTls" value="on" /> : null}
          </>
        ) : null}
        {(["incomingAuthMethod", "outgoingAuthMethod"] as const).map((field) => (
          <Field key={field} name={field} label={label(field)} help={help(field)} errors={fe[field]}>
            <select
              {...describedBy(field, fe[field], help(field))}
              value={authMethod[field]}
              onChange={(e) => setAuthMethod((prev) => ({ ...prev, [field]: e.target.value }))}
              className={inputClass}
            >
              {authMethods.map((m) => (
                <option key={m} value={m}>
                  {tx[`profiles.auth.${m}`]}
                </option>
              ))}
            </select>
          </Field>
        ))}
      </fieldset>

      {usesOAuth ? (
        <OAuthFields
          key={`${loc.serverType}:${mode}`}
          provider={providerForServerType(loc.serverType)}
          appOnly={mode === "profile"}
          cloud={loc.oauthCloud}
          onCloudChange={(oauthCloud: OAuthCloud) => change({ oauthCloud })}
          initial={initial}
          editing={editing}
          locked={locked}
          redirectUri={redirectUri}
          redirectUriFromRequest={redirectUriFromRequest}
          fe={fe}
          tx={tx}
        />
      ) : null}

      <fieldset className="grid gap-4 rounded border border-slate-200 bg-white p-4 md:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{tx["profiles.section.additional"]}</legend>
        <Field name="processEmailFrom" label={label("processEmailFrom")} help={help("processEmailFrom")} errors={fe.processEmailFrom}>
          {/* The visible input has the local time; the hidden one sends ISO with its offset. */}
          <input
            {...describedBy("processEmailFrom", fe.processEmailFrom, help("processEmailFrom"))}
            name="processEmailFromLocal"
            type="datetime-local"
            value={processFromLocal}
            onChange={(e) => {
              setProcessFromTouched(true);
              setProcessFromLocal(e.target.value);
            }}
            className={inputClass}
          />
        </Field>
        <input type="hidden" name="processEmailFrom" value={processFromIso} />
        <Field name="minPollingIntervalMinutes" label={label("minPollingIntervalMinutes")} help={help("minPollingIntervalMinutes")} errors={fe.minPollingIntervalMinutes}>
          <input
            {...describedBy("minPollingIntervalMinutes", fe.minPollingIntervalMinutes, help("minPollingIntervalMinutes"))}
            inputMode="numeric"
            defaultValue={initial.minPollingIntervalMinutes}
            className={inputClass}
          />
        </Field>
        <Field name="maxConnections" label={label("maxConnections")} help={help("maxConnections")} errors={fe.maxConnections}>
          <input {...describedBy("maxConnections", fe.maxConnections, help("maxConnections"))} inputMode="numeric" defaultValue={initial.maxConnections} className={inputClass} />
        </Field>
        <Field name="slowMailMinutes" label={label("slowMailMinutes")} help={help("slowMailMinutes")} errors={fe.slowMailMinutes}>
          <input {...describedBy("slowMailMinutes", fe.slowMailMinutes, help("slowMailMinutes"))} inputMode="numeric" defaultValue={initial.slowMailMinutes} className={inputClass} />
        </Field>
        <div className="self-end">
          <CheckboxField name="isDefault" label={label("isDefault")} help={help("isDefault")} errors={fe.isDefault} defaultChecked={initial.isDefault} />
        </div>
        <CheckboxField name="pushEnabled" label={label("pushEnabled")} help={help("pushEnabled")} errors={fe.pushEnabled} defaultChecked={initial.pushEnabled} />
        <CheckboxField name="appendSentToImap" label={label("appendSentToImap")} help={help("appendSentToImap")} errors={fe.appendSentToImap} defaultChecked={initial.appendSentToImap} />
        <Field name="afterFetchAction" label={label("afterFetchAction")} help={help("afterFetchAction")} errors={fe.afterFetchAction}>
          <select
            {...describedBy("afterFetchAction", fe.afterFetchAction, help("afterFetchAction"))}
            value={afterFetch}
            onChange={(e) => setAfterFetch(e.target.value as AfterFetchAction)}
            className={inputClass}
          >
            {afterFetchActions.map((a) => (
              // POP3 has no flags or folders: keep or delete only.
              <option key={a} value={a} disabled={loc.incomingProtocol === "pop3" && (a === "mark_read" || a === "move")}>
                {tx[`profiles.afterFetch.${a}`]}
              </option>
            ))}
          </select>
        </Field>
        {afterFetch === "move" ? (
          <Field name="afterFetchFolder" label={label("afterFetchFolder")} help={help("afterFetchFolder")} errors={fe.afterFetchFolder}>
            <input {...describedBy("afterFetchFolder", fe.afterFetchFolder, help("afterFetchFolder"))} defaultValue={initial.afterFetchFolder} className={inputClass} />
          </Field>
        ) : null}
        {afterFetch === "delete" ? (
          <p role="alert" data-testid="after-fetch-delete-warning" className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 md:col-span-2">
            {tx["profiles.warning.afterFetchDelete"]}
          </p>
        ) : null}
      </fieldset>

      <div>
        <button type="submit" disabled={pending} aria-busy={pending} className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60">
          {tx["common.save"]}
        </button>
      </div>
    </form>
    </div>
  );
}

function PasswordStatus({ set, testId, tx }: { set: boolean; testId: string; tx: ProfileText }) {
  return (
    <span data-testid={testId} className="text-xs text-slate-600">
      {tx["profiles.passwordStatus"].replace("{status}", set ? tx["profiles.passwordSet"] : tx["profiles.passwordNotSet"])}
    </span>
  );
}
