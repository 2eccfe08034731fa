-- search_cjk_bigrams becomes a plain column, filled by the application (lib/emails/search-pairs.ts)
-- where a message is parsed: computing mailroom_cjk_bigrams over every stored message's whole text
-- inside the storing transaction cost a first sync more than the rest of the row. DROP EXPRESSION
-- keeps the values already stored (rows without Japanese keep '  ', which has no trigram; new ones
-- store NULL). The SQL function stays: listEmails asks it whether this database sees CJK characters.
ALTER TABLE "emails" ALTER COLUMN "search_cjk_bigrams" DROP EXPRESSION;
