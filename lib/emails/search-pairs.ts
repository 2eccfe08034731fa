/**
 * The CJK characters the Japanese search pairs (kanji, kana, 々, half-width katakana): the same class as
 * mailroom_cjk_bigrams (migration 0015). All of them are in the Basic Multilingual Plane, so a JavaScript
 * string index is one character here, as in Postgres.
 */
const CJK_RUN = /[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]{2,}/g;

/** Appends every pair of adjacent CJK characters in `t` to `out`. */
function addPairs(t: string, out: string[]): void {
  for (const run of t.matchAll(CJK_RUN)) {
    const s = run[0];
    for (let i = 0; i + 1 < s.length; i++) out.push(s[i] + s[i + 1]);
  }
}

/**
 * Exactly what the SQL function mailroom_cjk_bigrams(t) returns: every pair of adjacent CJK characters
 * as space-separated words with a space at each end ('請求書を送付' -> ' 請求 求書 書を を送 送付 ').
 */
export function cjkBigrams(t: string): string {
  const pairs: string[] = [];
  addPairs(t, pairs);
  return ` ${pairs.join(" ")} `;
}

/**
 * What emails.search_cjk_bigrams stores for a message: the CJK pairs of its search text (subject, sender
 * address and name, body text; db/schema/emails.ts emailSearchText), or null when it has none, so the
 * pairs' index holds nothing for mail without Japanese. Computed where the message is parsed (a parse
 * thread during a sync) instead of by Postgres in the storing transaction. Lower-casing (which the
 * search text applies) changes no CJK character and makes none, and the fields' separators are not CJK,
 * so the pairs are those of each field in turn.
 */
export function searchPairs(m: { subject: string; fromAddress: string; fromName: string; text: string | null }): string | null {
  const pairs: string[] = [];
  addPairs(m.subject, pairs);
  addPairs(m.fromAddress, pairs);
  addPairs(m.fromName, pairs);
  if (m.text) addPairs(m.text, pairs);
  return pairs.length === 0 ? null : ` ${pairs.join(" ")} `;
}
