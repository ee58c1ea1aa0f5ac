#!/usr/bin/env bash
# Before the first release the schema lives in one initial migration; this rewrites it
# from the models (plus the full-text DDL that autogenerate cannot see).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f alembic/versions/0001_initial_schema.py
DATABASE_URL="sqlite:///$tmp/m.db" .venv/bin/alembic revision --autogenerate -m "initial schema" --rev-id 0001 >/dev/null
f=alembic/versions/0001_initial_schema.py
.venv/bin/python - "$f" <<'PY'
import sys, re
p = sys.argv[1]
DROP = """

def drop_search_ddl(bind: sa.Connection) -> None:
    \"\"\"Remove the full-text objects that install_search_ddl created.\"\"\"
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("DROP TABLE IF EXISTS skill_fts")
        return
    for fn in ("bartr_skills_search_trigger", "bartr_users_name_trigger", "bartr_skill_search_vector"):
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
"""
s = open(p).read()
s = s.replace("from alembic import op\n", "from alembic import op\n\nimport bartr.models.base\nfrom bartr.services.search_index import install_search_ddl\n")
s = s.replace("\n\ndef upgrade", DROP + "\n\ndef upgrade", 1)
s = s.replace("    # ### end Alembic commands ###\n\n\ndef downgrade", "    # ### end Alembic commands ###\n    install_search_ddl(op.get_bind())\n\n\ndef downgrade", 1)
s = s.replace("def downgrade() -> None:\n", "def downgrade() -> None:\n    drop_search_ddl(op.get_bind())\n", 1)
open(p, "w").write(s)
PY
.venv/bin/ruff format -q "$f" && .venv/bin/ruff check -q --fix "$f" || true
rm -rf "$tmp"
echo "wrote $f"
