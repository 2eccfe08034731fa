import Link from "next/link";
import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import { renderStored } from "@/lib/i18n/message";
import type { Translate } from "@/lib/i18n/translate";
import type { TestStatus } from "@/lib/mailboxes/mailbox-view";
import { type Percentiles, type StatusCount } from "@/lib/monitoring/get-dashboard";
import { createDashboardCache } from "@/lib/monitoring/dashboard-cache";
import { env } from "@/lib/env";
import { getDb } from "@/lib/server/db";
import { getLocale, getT, getTimeZone } from "@/lib/server/locale";
import { requireActor } from "@/lib/server/session";
import { statusLabel, when } from "../mailboxes/mailbox-text";
import { formatSeconds } from "./format-seconds";
import { LiveRefresh } from "./live-refresh";

export const dynamic = "force-dynamic";

/** One per web process: the figures shared by everyone viewing the dashboard. */
const cachedDashboard = createDashboardCache();

const card = "rounded bg-white p-4 shadow-sm";
const th = "border-b border-slate-200 px-2 py-1 text-left font-medium text-slate-600";
const td = "border-b border-slate-100 px-2 py-1";

/** The sync monitoring dashboard (monitoring:read: admins and mailbox managers). Server-rendered; charts are a small client island. */
export default async function MonitoringPage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  const actor = await requireActor("monitoring:read");
  const [t, locale, sp, timeZone] = await Promise.all([getT(), getLocale(), searchParams, getTimeZone()]);
  const d = await cachedDashboard(getDb(), actor, { range: sp.range }, env().MAILROOM_DASHBOARD_MAX_AGE_MS);
  const dur = (s: number | null) => formatSeconds(locale, s);
  const pct = (p: Percentiles) => t("monitoring.p50p95", { p50: dur(p.p50), p95: dur(p.p95), samples: p.samples });
  const alive = d.workers.filter((w) => w.alive).length;
  const tab = (active: boolean) => `rounded-full border px-3 py-1 text-sm ${active ? "border-blue-700 bg-blue-700 text-white" : "border-slate-300 bg-white hover:bg-slate-50"}`;
  return (
    <section className="flex flex-col gap-6">
      <LiveRefresh everyMs={15_000} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">{t("monitoring.title")}</h1>
        <nav aria-label="range" className="flex gap-2">
          <Link href="/monitoring" className={tab(d.range === "24h")} aria-current={d.range === "24h" ? "page" : undefined}>{t("monitoring.range.24h")}</Link>
          <Link href="/monitoring?range=7d" className={tab(d.range === "7d")} aria-current={d.range === "7d" ? "page" : undefined}>{t("monitoring.range.7d")}</Link>
        </nav>
      </div>
      <p className="text-sm text-slate-600" data-testid="updated">{t("monitoring.updated", { time: when(t, locale, d.generatedAt, timeZone) })}</p>

      <section aria-labelledby="by-status" className={card}>
        <h2 id="by-status" className="mb-2 text-lg font-semibold">{t("monitoring.mailboxes")}</h2>
        <div className="grid gap-4 md:grid-cols-2">
          <StatusTable title={t("monitoring.incoming")} rows={d.mailboxes.incoming} t={t} testId="status-incoming" />
          <StatusTable title={t("monitoring.outgoing")} rows={d.mailboxes.outgoing} t={t} testId="status-outgoing" />
        </div>
      </section>

      <section aria-labelledby="traffic" className={card}>
        <h2 id="traffic" className="mb-1 text-lg font-semibold">{t("monitoring.traffic")}</h2>
        <p className="mb-2 text-sm" data-testid="totals">{t("monitoring.totals", { stored: d.totals.stored, sent: d.totals.sent, errors: d.totals.errors })}</p>
        <TimeSeriesChart
          testId="chart-traffic"
          label={t("monitoring.traffic")}
          locale={locale}
          xs={d.hours}
          series={[
            { label: t("monitoring.series.stored"), values: d.storedPerHour, color: "#1d4ed8" },
            { label: t("monitoring.series.sent"), values: d.sentPerHour, color: "#15803d" },
          ]}
        />
      </section>

      <section aria-labelledby="errors" className={card}>
        <h2 id="errors" className="mb-2 text-lg font-semibold">{t("monitoring.errors")}</h2>
        {d.errorsPerHour.length === 0 ? (
          <p className="text-sm text-slate-600">{t("monitoring.noErrors")}</p>
        ) : (
          <TimeSeriesChart testId="chart-errors" label={t("monitoring.errors")} locale={locale} xs={d.hours} series={d.errorsPerHour.map((e) => ({ label: e.code, values: e.counts, color: "" }))} />
        )}
      </section>

      <section aria-labelledby="timing" className={card}>
        <h2 id="timing" className="mb-1 text-lg font-semibold">{t("monitoring.timing")}</h2>
        <p className="mb-2 text-sm text-slate-600">{t("monitoring.timingIntro")}</p>
        <dl className="mb-3 grid gap-1 text-sm md:grid-cols-2">
          <div><dt className="font-medium">{t("monitoring.latency")}</dt><dd data-testid="latency-overall">{pct(d.latency)}</dd></div>
          <div><dt className="font-medium">{t("monitoring.lag")}</dt><dd data-testid="lag-overall">{pct(d.lag)}</dd></div>
        </dl>
        <h3 className="mb-1 font-medium">{t("monitoring.slowest")}</h3>
        {d.slowest.length === 0 ? (
          <p className="text-sm text-slate-600">{t("monitoring.none")}</p>
        ) : (
          <table className="w-full text-sm" data-testid="slowest">
            <thead><tr><th className={th}>{t("monitoring.col.mailbox")}</th><th className={th}>{t("monitoring.col.latencyP50")}</th><th className={th}>{t("monitoring.col.latencyP95")}</th><th className={th}>{t("monitoring.col.lagP50")}</th><th className={th}>{t("monitoring.col.lagP95")}</th></tr></thead>
            <tbody>
              {d.slowest.map((m) => (
                <tr key={m.id} data-mailbox={m.id}>
                  <td className={td}><a href={`/mailboxes/${m.id}`} className="text-blue-700 hover:underline">{m.name}</a></td>
                  <td className={td}>{dur(m.latency.p50)}</td><td className={td}>{dur(m.latency.p95)}</td>
                  <td className={td}>{dur(m.lag.p50)}</td><td className={td}>{dur(m.lag.p95)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="failing" className={card}>
        <h2 id="failing" className="mb-2 text-lg font-semibold">{t("monitoring.failing")}</h2>
        {d.failing.length === 0 ? (
          <p className="text-sm text-slate-600">{t("monitoring.none")}</p>
        ) : (
          <table className="w-full text-sm" data-testid="failing">
            <thead><tr><th className={th}>{t("monitoring.col.mailbox")}</th><th className={th}>{t("monitoring.col.direction")}</th><th className={th}>{t("monitoring.col.status")}</th><th className={th}>{t("monitoring.col.error")}</th><th className={th}>{t("monitoring.col.failures")}</th></tr></thead>
            <tbody>
              {d.failing.map((m) => (
                <tr key={`${m.id}:${m.direction}`} data-mailbox={m.id}>
                  <td className={td}><a href={`/mailboxes/${m.id}`} className="text-blue-700 hover:underline">{m.name}</a></td>
                  <td className={td}>{t(`monitoring.direction.${m.direction}`)}</td>
                  <td className={td}>{statusLabel(t, m.status as TestStatus)}{m.enabled ? "" : ` (${t("monitoring.col.disabled")})`}{m.silentSince ? ` · ${t("monitoring.silentSince", { time: when(t, locale, m.silentSince, timeZone) })}` : ""}</td>
                  <td className={td}>
                    <code>{m.errorCode ?? "—"}</code>
                    {m.error ? <span className="block text-slate-600">{renderStored(t, m.error)}</span> : null}
                  </td>
                  <td className={td}>{m.failures}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="workers" className={card}>
        <h2 id="workers" className="mb-1 text-lg font-semibold">{t("monitoring.workers")}</h2>
        <p className="mb-2 text-sm" data-testid="workers-alive">{t("monitoring.workersAlive", { alive, total: d.workers.length })}</p>
        <p className="mb-2 text-sm" data-testid="push-held">{t("monitoring.pushHeld", { held: d.push.held, pushable: d.push.pushable })}</p>
        {d.workers.length === 0 ? null : (
          <table className="w-full text-sm" data-testid="workers">
            <thead><tr><th className={th}>{t("monitoring.col.worker")}</th><th className={th}>{t("monitoring.col.host")}</th><th className={th}>{t("monitoring.col.pid")}</th><th className={th}>{t("monitoring.col.version")}</th><th className={th}>{t("monitoring.col.started")}</th><th className={th}>{t("monitoring.col.lastSeen")}</th><th className={th}>{t("monitoring.col.lanes")}</th><th className={th}>{t("monitoring.col.push")}</th><th className={th}>{t("monitoring.col.status")}</th></tr></thead>
            <tbody>
              {d.workers.map((w) => (
                <tr key={w.id} data-worker={w.id}>
                  <td className={td}>{w.id}</td><td className={td}>{w.host}</td><td className={td}>{w.pid}</td><td className={td}>{w.version}</td>
                  <td className={td}>{when(t, locale, w.startedAt, timeZone)}</td><td className={td}>{when(t, locale, w.lastSeenAt, timeZone)}</td><td className={td}>{w.lanesBusy}</td><td className={td}>{w.pushSessions}</td>
                  <td className={`${td} ${w.alive ? "text-green-800" : "text-red-800"}`}>{w.alive ? t("monitoring.alive") : t("monitoring.gone")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="outbox" className={card}>
        <h2 id="outbox" className="mb-1 text-lg font-semibold">{t("monitoring.outbox")}</h2>
        <p className="text-sm" data-testid="outbox-depth">{t("monitoring.outboxDepth", { queued: d.outbox.queued, retrying: d.outbox.retrying, sending: d.outbox.sending })}</p>
        {d.outbox.oldestQueuedAt ? (
          <p className="text-sm" data-testid="outbox-oldest">
            {t("monitoring.oldestQueued", { time: when(t, locale, d.outbox.oldestQueuedAt, timeZone) })}{" "}
            {d.outbox.oldestMailboxId ? <Link href={`/sent/${d.outbox.oldestMailboxId}`} className="text-blue-700 hover:underline">{t("monitoring.openSent")}</Link> : null}
          </p>
        ) : null}
      </section>
    </section>
  );
}

/** Mailboxes of one direction by status: enabled and disabled counts. */
function StatusTable({ title, rows, t, testId }: { title: string; rows: StatusCount[]; t: Translate; testId: string }) {
  const statuses = [...new Set(rows.map((r) => r.status))];
  const count = (status: string, enabled: boolean) => rows.find((r) => r.status === status && r.enabled === enabled)?.count ?? 0;
  return (
    <div>
      <h3 className="mb-1 font-medium">{title}</h3>
      {statuses.length === 0 ? (
        <p className="text-sm text-slate-600">{t("monitoring.none")}</p>
      ) : (
        <table className="w-full text-sm" data-testid={testId}>
          <thead><tr><th className={th}>{t("monitoring.col.status")}</th><th className={th}>{t("monitoring.col.enabled")}</th><th className={th}>{t("monitoring.col.disabled")}</th></tr></thead>
          <tbody>
            {statuses.map((s) => (
              <tr key={s} data-status={s}>
                <td className={td}>{statusLabel(t, s as TestStatus)}</td>
                <td className={td} data-enabled="true">{count(s, true)}</td>
                <td className={td} data-enabled="false">{count(s, false)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
