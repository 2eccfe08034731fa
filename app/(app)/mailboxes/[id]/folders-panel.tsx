"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/form/form-status";
import { SubmitButton } from "@/components/form/submit-button";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/translate";
import { initialActionState } from "@/lib/server/action-state";
import { listServerFoldersAction, saveFoldersAction, type FolderListState } from "./folder-actions";

/** A chosen folder as the page shows it: its state already in words (the server formats dates in the reader's zone). */
export type ChosenFolder = { path: string; missing: boolean; synced: string | null };

/**
 * The folders a mailbox syncs besides INBOX: their state, a button that lists the server's
 * folders (signed in on the server; no credential reaches the browser) and checkboxes to
 * choose them. Without a listing, the chosen folders are shown ticked so one can be unticked.
 */
export function FoldersPanel({ mailboxId, chosen, locale }: { mailboxId: string; chosen: ChosenFolder[]; locale: Locale }) {
  const t = translator(locale);
  const [listed, list] = useActionState<FolderListState, FormData>(listServerFoldersAction, initialActionState);
  const [saved, save] = useActionState(saveFoldersAction, initialActionState);
  const byPath = new Map(chosen.map((c) => [c.path, c]));
  const options = listed.folders ?? chosen.map((c) => ({ path: c.path, specialUse: null, chosen: true }));
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-600">{t("mailboxes.folders.intro")}</p>
      <form action={list} className="flex flex-col gap-1">
        <input type="hidden" name="mailboxId" value={mailboxId} />
        <div>
          <SubmitButton variant="secondary">{t("mailboxes.folders.list")}</SubmitButton>
        </div>
        <p className="text-xs text-slate-500">{t("mailboxes.folders.listHelp")}</p>
        <FormStatus state={listed} />
      </form>
      <form action={save} className="flex flex-col gap-2" aria-label={t("mailboxes.folders.title")}>
        <input type="hidden" name="mailboxId" value={mailboxId} />
        <FormStatus state={saved} />
        <fieldset id="folders" tabIndex={-1} className="flex flex-col gap-1" data-testid="folder-choices">
          <legend className="mb-1 text-sm font-medium">{t("mailboxes.field.folders")}</legend>
          {options.length === 0 ? <p className="text-sm text-slate-600">{listed.folders ? t("mailboxes.folders.empty") : t("mailboxes.folders.none")}</p> : null}
          {options.map((f) => {
            const state = byPath.get(f.path);
            return (
              <label key={`${listed.folders ? "l" : "c"}${f.path}`} className="flex flex-wrap items-baseline gap-2 text-sm">
                <input type="checkbox" name="folders" value={f.path} defaultChecked={f.chosen} />
                <span>{f.path}</span>
                {f.specialUse ? <span className="text-slate-500">{t("mailboxes.folders.special", { use: f.specialUse })}</span> : null}
                {"listed" in f && !f.listed ? <span className="text-amber-700">{t("mailboxes.folders.notOnServer")}</span> : null}
                {state?.missing ? (
                  <span role="note" className="text-red-700" data-testid="folder-missing">{t("mailboxes.folders.missing")}</span>
                ) : state ? (
                  <span className="text-slate-500">{state.synced ? t("mailboxes.folders.synced", { date: state.synced }) : t("mailboxes.folders.notYet")}</span>
                ) : null}
              </label>
            );
          })}
        </fieldset>
        <div>
          <SubmitButton>{t("common.save")}</SubmitButton>
        </div>
      </form>
    </div>
  );
}
