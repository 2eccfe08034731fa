-- Every pair of adjacent CJK characters (kanji, kana, 々) in `t`, as space-separated words with a
-- space at each end: '請求書を送付' -> ' 請求 求書 書を を送 送付 '. pg_trgm finds a word of 3 or
-- more characters through its trigrams, but a 2-character word (most Japanese words: 会議, 契約)
-- has none, so LIKE '%契約%' could not use the search index and read the whole mailbox. Searched as
-- a word (LIKE '% 契約 %') in these bigrams, it has the trigrams ' 契約' and '契約 '.
-- Used by the generated column emails.search_cjk_bigrams (lib/emails/list-emails.ts).
CREATE FUNCTION mailroom_cjk_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $f$
  SELECT ' ' || coalesce(string_agg(c || n, ' ' ORDER BY i), '') || ' '
    FROM (SELECT c, i, lead(c) OVER (ORDER BY i) AS n
            FROM unnest(string_to_array(regexp_replace(t, '[^\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+', ' ', 'g'), NULL)) WITH ORDINALITY AS u(c, i)) AS pairs
   WHERE c <> ' ' AND n <> ' '
$f$;
