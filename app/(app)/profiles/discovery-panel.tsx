"use client";
import { startTransition, useActionState, type FormEvent } from "react";
import { Field, describedBy, inputClass } from "@/components/form/field";
import { fillUserName, type DiscoveredServer, type DiscoveredSettings } from "@/lib/discovery/discovered-settings";
import { discoverSettingsAction, type DiscoverState } from "./discover-action";
import type { ProfileText } from "./profile-text";

/**
 * "Fill from an email address": asks the server to discover the settings, shows
 * what it found and where (and where it looked), and applies them to the form only
 * when the admin presses "Use these settings"; saving is still the form's own step.
 * It sits outside the profile form, so pressing Enter here never saves the profile.
 */
export function DiscoveryPanel({ tx, onApply }: { tx: ProfileText; onApply: (proposal: DiscoveredSettings, sourceLabel: string) => void }) {
  const [state, dispatch, pending] = useActionState(discoverSettingsAction, { ok: false } as DiscoverState);
  const fe = state.fieldErrors ?? {};
  const t = (key: string, vars: Record<string, string | number> = {}) => {
    let text = (tx as Record<string, string>)[key] ?? key;
    for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
    return text;
  };
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    startTransition(() => dispatch(fd));
  };
  const result = state.ok ? state.result : undefined;
  const proposal = result?.proposal ?? null;
  const sourceLabel = proposal ? t(`discovery.source.${proposal.source}`) : "";
  const server = (key: "discovery.incoming" | "discovery.outgoing", s: DiscoveredServer) =>
    t(key, { protocol: s.protocol.toUpperCase(), host: s.host, port: s.port, security: t(`discovery.security.${s.socketType}`) });
  const userName = proposal && result ? fillUserName(proposal.incoming?.userName ?? proposal.outgoing?.userName ?? null, result.email) : null;

  return (
    <section data-testid="discovery-panel" aria-labelledby="discovery-title" className="flex max-w-3xl flex-col gap-3 rounded border border-blue-200 bg-blue-50 p-4">
      <h2 id="discovery-title" className="text-sm font-semibold">{t("discovery.title")}</h2>
      <p className="text-sm text-slate-700">{t("discovery.help")}</p>
      <form onSubmit={onSubmit} noValidate className="flex flex-wrap items-end gap-2" aria-busy={pending}>
        <div className="min-w-72 flex-1">
          <Field name="discoverEmail" label={t("discovery.field.email")} errors={fe.discoverEmail}>
            <input {...describedBy("discoverEmail", fe.discoverEmail)} type="email" autoComplete="off" maxLength={320} placeholder="someone@example.com" className={inputClass} />
          </Field>
        </div>
        <button type="submit" disabled={pending} aria-busy={pending} className="rounded border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-60">
          {t("discovery.button")}
        </button>
      </form>
      {!state.ok && state.formError && !fe.discoverEmail?.length ? (
        <p role="alert" className="text-sm text-red-800">{state.formError}</p>
      ) : null}
      {result ? (
        <div data-testid="discovery-result" role="status" className="flex flex-col gap-2 rounded border border-slate-200 bg-white p-3 text-sm">
          {proposal ? (
            <>
              <p className="font-medium">{t("discovery.found", { domain: result.domain })}</p>
              <p data-testid="discovery-source">
                {t("discovery.from", { source: sourceLabel })} <code className="break-all text-xs text-slate-600">{proposal.sourceDetail}</code>
              </p>
              {proposal.providerName ? <p>{t("discovery.provider", { name: proposal.providerName })}</p> : null}
              <ul data-testid="discovery-proposal" className="list-inside list-disc">
                {proposal.serverType !== "pop3smtp" ? <li>{t("discovery.preset", { serverType: t(`profiles.serverType.${proposal.serverType}`) })}</li> : null}
                {proposal.incoming ? <li>{server("discovery.incoming", proposal.incoming)}</li> : null}
                {proposal.outgoing ? <li>{server("discovery.outgoing", proposal.outgoing)}</li> : null}
                {userName ? <li>{t("discovery.userName", { userName })}</li> : null}
              </ul>
              {proposal.warnings.map((w) => (
                <p key={w} data-warning={w} className="rounded border border-amber-200 bg-amber-50 px-2 py-1 text-amber-900">
                  {t(`discovery.warning.${w}`)}
                </p>
              ))}
              <div>
                <button type="button" onClick={() => onApply(proposal, sourceLabel)} className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">
                  {t("discovery.apply")}
                </button>
              </div>
            </>
          ) : (
            <p data-testid="discovery-none">{t("discovery.notFound", { domain: result.domain })}</p>
          )}
          <details className="text-xs text-slate-600">
            <summary className="cursor-pointer">{t("discovery.tried")}</summary>
            <ul className="mt-1 list-inside list-disc">
              {result.attempts.map((a, i) => (
                <li key={i}>
                  {t(`discovery.source.${a.source}`)}: {t(`discovery.outcome.${a.outcome}`)} <code className="break-all">{a.detail}</code>
                </li>
              ))}
            </ul>
          </details>
        </div>
      ) : null}
    </section>
  );
}
