import Link from "next/link";
import type { Translate } from "@/lib/i18n/translate";

/** Previous / next links for a paged list; keeps the other query parameters. */
export function Pager({ page, pageSize, total, href, t }: { page: number; pageSize: number; total: number; href: (page: number) => string; t: Translate }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav aria-label="pagination" className="mt-4 flex items-center gap-4 text-sm">
      {page > 1 ? <Link href={href(page - 1)} className="text-blue-700 hover:underline">{t("common.previous")}</Link> : <span className="text-slate-400">{t("common.previous")}</span>}
      <span>{t("common.pageOf", { page, pages })}</span>
      {page < pages ? <Link href={href(page + 1)} className="text-blue-700 hover:underline">{t("common.next")}</Link> : <span className="text-slate-400">{t("common.next")}</span>}
    </nav>
  );
}
