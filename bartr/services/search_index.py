"""Full-text index of teachable skills, for PostgreSQL and SQLite behind one interface.

What `SQLModel.metadata.create_all` cannot express lives here as `install_search_ddl`:

- PostgreSQL: a `skills.search_vector tsvector` column (title weight A, tags and teacher
  name B, description C; 'english' configuration), filled by a BEFORE INSERT/UPDATE
  trigger on `skills`, refreshed by an AFTER UPDATE OF display_name trigger on `users`,
  and a GIN index. Queried with `websearch_to_tsquery` and ranked with `ts_rank`.
- SQLite: an FTS5 table `skill_fts(title, tags, description, teacher)` whose rowid is the
  skill id, kept in sync by triggers on `skills` and `users`. Queried with MATCH and bm25.

Only kind='teach' skills are indexed (nobody searches for learners). Triggers, not
service code, keep the index right, so bulk loaders and the demo seeder need nothing
special. The DDL is idempotent.

Wiring: `install_search_ddl` runs after the `skill_terms` table is created by
`create_all` (event listener below; `skill_terms` is the last profiles table, created after
`users` and `skills`). An Alembic migration calls it directly:
`install_search_ddl(op.get_bind())`, and `alembic/env.py` should pass
`include_object=search_index.include_object` so autogenerate ignores these objects.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import Connection, event

from bartr.models.profiles import SkillTerm
from bartr.services import visibility

FTS_TABLE = "skill_fts"
PG_TS_CONFIG = "english"
# bm25 column weights: title, tags, description, teacher name.
BM25_WEIGHTS = (10.0, 4.0, 1.0, 4.0)

_SQLITE_DDL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, tags, description, teacher,
        tokenize = 'porter unicode61 remove_diacritics 2')""",
    "DROP TRIGGER IF EXISTS skills_fts_ai",
    f"""CREATE TRIGGER skills_fts_ai AFTER INSERT ON skills WHEN new.kind = 'teach' BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, tags, description, teacher) VALUES (
            new.id, new.title,
            (SELECT group_concat(value, ' ') FROM json_each(new.tags)),
            new.description,
            (SELECT display_name FROM users WHERE id = new.user_id));
    END""",
    "DROP TRIGGER IF EXISTS skills_fts_au",
    f"""CREATE TRIGGER skills_fts_au AFTER UPDATE OF title, tags, description, user_id, kind
        ON skills BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        INSERT INTO {FTS_TABLE}(rowid, title, tags, description, teacher)
            SELECT new.id, new.title,
                (SELECT group_concat(value, ' ') FROM json_each(new.tags)),
                new.description,
                (SELECT display_name FROM users WHERE id = new.user_id)
            WHERE new.kind = 'teach';
    END""",
    "DROP TRIGGER IF EXISTS skills_fts_ad",
    f"""CREATE TRIGGER skills_fts_ad AFTER DELETE ON skills BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
    END""",
    "DROP TRIGGER IF EXISTS users_fts_name",
    f"""CREATE TRIGGER users_fts_name AFTER UPDATE OF display_name ON users BEGIN
        UPDATE {FTS_TABLE} SET teacher = new.display_name
        WHERE rowid IN (SELECT id FROM skills WHERE user_id = new.id AND kind = 'teach');
    END""",
]


_PG_VECTOR_FN = f"""
CREATE OR REPLACE FUNCTION bartr_skill_search_vector(
    p_title text, p_tags json, p_description text, p_teacher text)
RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector('{PG_TS_CONFIG}', coalesce(p_title, '')), 'A')
        || setweight(to_tsvector('{PG_TS_CONFIG}', coalesce(
               (SELECT string_agg(value, ' ') FROM json_array_elements_text(p_tags)), '')), 'B')
        || setweight(to_tsvector('{PG_TS_CONFIG}', coalesce(p_teacher, '')), 'B')
        || setweight(to_tsvector('{PG_TS_CONFIG}', coalesce(p_description, '')), 'C')
$$"""

_PG_DDL = [
    "ALTER TABLE skills ADD COLUMN IF NOT EXISTS search_vector tsvector",
    _PG_VECTOR_FN,
    """CREATE OR REPLACE FUNCTION bartr_skills_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.kind = 'teach' THEN
            NEW.search_vector := bartr_skill_search_vector(NEW.title, NEW.tags,
                NEW.description, (SELECT display_name FROM users WHERE id = NEW.user_id));
        ELSE
            NEW.search_vector := NULL;
        END IF;
        RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS skills_search_vector ON skills",
    """CREATE TRIGGER skills_search_vector
        BEFORE INSERT OR UPDATE OF title, tags, description, user_id, kind ON skills
        FOR EACH ROW EXECUTE FUNCTION bartr_skills_search_trigger()""",
    """CREATE OR REPLACE FUNCTION bartr_users_name_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.display_name IS DISTINCT FROM OLD.display_name THEN
            UPDATE skills SET search_vector = bartr_skill_search_vector(
                title, tags, description, NEW.display_name)
            WHERE user_id = NEW.id AND kind = 'teach';
        END IF;
        RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS users_search_name ON users",
    """CREATE TRIGGER users_search_name AFTER UPDATE OF display_name ON users
        FOR EACH ROW EXECUTE FUNCTION bartr_users_name_trigger()""",
    "CREATE INDEX IF NOT EXISTS ix_skills_search_vector ON skills USING gin (search_vector)",
    # The marketplace language filter: (languages::jsonb) @> '["Spanish"]'.
    """CREATE INDEX IF NOT EXISTS ix_users_languages_gin
        ON users USING gin ((languages::jsonb) jsonb_path_ops)""",
    # The marketplace visibility test as an anti-join on the few hidden members (see
    # visibility.HIDDEN_USER_SQL): a hash of a few hundred ids instead of a scan of every user.
    f"CREATE INDEX IF NOT EXISTS ix_users_hidden ON users (id) WHERE {visibility.HIDDEN_USER_SQL}",
    # Narrow covering indexes for the exact (uncapped) counts that combine a whole
    # category / level with a language or free-time filter: index-only scans of a few
    # hundred pages instead of a parallel seq scan of `skills` (6k pages, with the
    # descriptions and search vectors). Not partial: `kind` is a bound parameter.
    # Per teacher (language / free-time semi-joins probe by user_id):
    """CREATE INDEX IF NOT EXISTS ix_skills_teacher_cover
        ON skills (user_id, kind, active) INCLUDE (category_id, level)""",
    # Per category / level range (hashed against the teacher ids):
    """CREATE INDEX IF NOT EXISTS ix_skills_filter_cover
        ON skills (kind, active, category_id, level) INCLUDE (user_id)""",
]

# Names autogenerate must leave alone (they are not in SQLModel.metadata).
_MANAGED_TABLE_PREFIX = FTS_TABLE
_MANAGED_COLUMNS = {("skills", "search_vector")}
_MANAGED_INDEXES = {
    "ix_skills_search_vector",
    "ix_users_languages_gin",
    "ix_users_hidden",
    "ix_skills_teacher_cover",
    "ix_skills_filter_cover",
}


def install_search_ddl(connection: Connection) -> None:
    """Create (or re-create) the full-text index objects for this connection's dialect."""
    statements = _PG_DDL if connection.dialect.name == "postgresql" else _SQLITE_DDL
    if connection.dialect.name not in {"postgresql", "sqlite"}:
        raise RuntimeError(f"no search index for dialect {connection.dialect.name}")
    for statement in statements:
        connection.exec_driver_sql(statement)


def rebuild_search_index(connection: Connection) -> None:
    """Recompute every document (after a bulk load with triggers off, or a config change)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            """UPDATE skills s SET search_vector = bartr_skill_search_vector(
                   s.title, s.tags, s.description, u.display_name)
               FROM users u WHERE u.id = s.user_id AND s.kind = 'teach'"""
        )
        return
    connection.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
    connection.exec_driver_sql(
        f"""INSERT INTO {FTS_TABLE}(rowid, title, tags, description, teacher)
            SELECT s.id, s.title,
                   (SELECT group_concat(value, ' ') FROM json_each(s.tags)),
                   s.description, u.display_name
            FROM skills s JOIN users u ON u.id = s.user_id WHERE s.kind = 'teach'"""
    )


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic autogenerate filter: ignore the objects this module owns."""
    if name is None:
        return True
    if type_ == "table" and name.startswith(_MANAGED_TABLE_PREFIX):
        return False
    if type_ == "column" and (getattr(obj.table, "name", ""), name) in _MANAGED_COLUMNS:
        return False
    return not (type_ == "index" and name in _MANAGED_INDEXES)


def _on_after_create(_target: Any, connection: Connection, **_kw: Any) -> None:
    install_search_ddl(connection)


event.listen(SkillTerm.__table__, "after_create", _on_after_create)  # type: ignore[attr-defined]


# --- turning what a person typed into a safe query ------------------------------------

_TOKEN_RE = re.compile(r'"([^"]*)"?|(\S+)')
_WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_CHARS = 200


def clean_query(q: str | None) -> str:
    """Drop control characters, collapse whitespace, bound the length; '' means no filter."""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in (q or ""))
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def fts5_expression(q: str) -> str | None:
    """Translate web-search syntax into an FTS5 expression that can never be a syntax error.

    Mirrors PostgreSQL's websearch_to_tsquery: words are ANDed, "quoted text" is a phrase,
    `or` between terms is OR, a leading '-' excludes. Every term is reduced to its word
    characters and double-quoted, so FTS5 operators typed by a person ("AND", "NEAR", "*",
    "^", ":" or stray quotes) are only ever searched for as words. None: nothing to match.
    """
    positives: list[str] = []
    negatives: list[str] = []
    pending_or = False
    for match in _TOKEN_RE.finditer(clean_query(q)):
        phrase, bare = match.group(1), match.group(2)
        negate = False
        if bare is not None:
            if bare.lower() == "or" and positives:
                pending_or = True
                continue
            if bare.startswith("-") and len(bare) > 1:
                negate, bare = True, bare[1:]
            words = _WORD_RE.findall(bare)
        else:
            words = _WORD_RE.findall(phrase or "")
        if not words:
            continue
        term = '"' + " ".join(w.replace('"', "") for w in words) + '"'
        if negate:
            negatives.append(term)
        elif pending_or and positives:
            positives[-1] = f"({positives[-1]} OR {term})"
        else:
            positives.append(term)
        pending_or = False
    if not positives:
        return None
    expression = " AND ".join(positives)
    for term in negatives:
        expression = f"({expression}) NOT {term}"
    return expression


def has_searchable_words(q: str) -> bool:
    return bool(_WORD_RE.search(clean_query(q)))
