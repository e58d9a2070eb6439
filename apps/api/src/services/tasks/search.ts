import { desc, ilike, or, type SQL, sql } from 'drizzle-orm'
import { TASK_SEARCH_CONFIG, tasks } from '../../db/schema/index.js'
import { escapeLike } from '../../lib/like.js'

/*
 * Task search: what matches, and in which order.
 *
 * A task matches when its words match the query (full-text search: `search @@
 * websearch_to_tsquery(...)`, English stemming, quoted phrases, `-word`, `or`) or when its title or
 * description contains the query as typed (ILIKE '%text%': parts of words, codes such as "100%",
 * punctuation, words in other languages). Each side has a GIN index (`tasks_search_idx` on the
 * generated `search` column, and pg_trgm trigram indexes on title and description), and PostgreSQL
 * ORs their bitmaps: a rare term reads only its few rows, and a term that is in no task reads a few
 * index pages and nothing else, never the table.
 *
 * Results are ordered by relevance: `ts_rank` over the weighted words first (a word in the title,
 * weight A, outranks one in the description, weight B; more occurrences rank higher), then whether
 * the title contains the text as typed (so "logi" lists "Fix login" before a description that
 * mentions it), then newest first. (pg_trgm's `word_similarity` would order substring matches more
 * finely, but costs several times the rest of the query per match.)
 *
 * Ranking is over the newest `SEARCH_WINDOW` matches, so that a search costs what its matches
 * cost, never more than that many: PostgreSQL finds a rare term's few matches through the indexes
 * above and sorts them, and for a word in a fifth of all tasks it walks the list index newest first
 * and stops at the window, instead of ranking 100,000 matches (most of a second at 500,000 tasks).
 * The planner chooses between the two from the term's frequency. A search therefore lists at most
 * `SEARCH_WINDOW` tasks, as large code and issue hosts cap theirs; narrowing the words finds older
 * ones.
 *
 * Not typo-tolerant on purpose: similarity matching (`%`) cannot rule a query out from the index
 * alone the way exact trigrams can, so a search with no result would read many rows to say so.
 *
 * Text without three letters or digits in a row ("%", "a b") has no trigram and no useful word for
 * an index: it matches by substring only, newest first, through the list's own index order.
 */

/** pg_trgm builds trigrams from runs of letters and digits; shorter runs give none. */
const HAS_TRIGRAM = /[\p{L}\p{N}]{3}/u

/** How many of the newest matches a search ranks and lists. */
export const SEARCH_WINDOW = 1_000

export interface TaskSearch {
  match: SQL
  /** Relevance first; null when the text is too short to rank (newest first then). */
  order: SQL[] | null
  /** The relevance sort keys before the newest-first tie-break; null with `order`. */
  rank: { score: SQL<number>; inTitle: SQL<boolean> } | null
}

export function taskSearch(text: string): TaskSearch {
  const pattern = `%${escapeLike(text)}%`
  const inTitle = ilike(tasks.title, pattern)
  const contains = or(inTitle, ilike(tasks.description, pattern)) as SQL
  if (!HAS_TRIGRAM.test(text)) return { match: contains, order: null, rank: null }
  const query = sql`websearch_to_tsquery(${sql.raw(`'${TASK_SEARCH_CONFIG}'::regconfig`)}, ${text})`
  const score = sql<number>`ts_rank(${tasks.search}, ${query})`
  return {
    match: or(sql`${tasks.search} @@ ${query}`, contains) as SQL,
    order: [desc(score), desc(inTitle), desc(tasks.createdAt), desc(tasks.id)],
    rank: { score, inTitle: sql<boolean>`${inTitle}` },
  }
}
