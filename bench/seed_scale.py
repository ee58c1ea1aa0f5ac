"""Seed a large synthetic community for the marketplace benchmark.

    python -m bench.seed_scale --url sqlite:////tmp/bartr_bench.db --users 20000 --skills 100000

Bulk inserts with executemany (PostgreSQL: COPY for the big tables), ids assigned here so
derived rows (skill_terms, bitmaps) are computed in Python without reading back. The
search index is filled by its own triggers, exactly as in production.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, func, insert
from sqlmodel import Session, SQLModel, select

import bartr.models  # noqa: F401  (registers every table)
from bartr.db import make_engine
from bartr.models.accounts import User
from bartr.models.profiles import (
    AvailabilityBitmap,
    AvailabilityWindow,
    Category,
    Skill,
    SkillTerm,
    TeacherStats,
)
from bartr.services import availability, categories, search_index  # noqa: F401
from bartr.services.availability import Window
from bartr.services.languages import LANGUAGES
from bartr.services.profiles import significant_words

SUBJECTS: dict[str, list[str]] = {
    "languages": [
        "Spanish",
        "French",
        "German",
        "Italian",
        "Japanese",
        "Mandarin",
        "Korean",
        "Portuguese",
        "Arabic",
        "Russian",
        "Hindi",
        "Swahili",
        "Dutch",
        "Polish",
        "Turkish",
        "Greek",
    ],
    "music": [
        "guitar",
        "piano",
        "violin",
        "drums",
        "ukulele",
        "singing",
        "cello",
        "saxophone",
        "trumpet",
        "bass",
        "harmonica",
        "flute",
        "songwriting",
        "DJing",
    ],
    "programming": [
        "Python",
        "JavaScript",
        "Rust",
        "Go",
        "SQL",
        "C++",
        "TypeScript",
        "Java",
        "Kotlin",
        "Swift",
        "React",
        "Django",
        "Haskell",
        "Docker",
        "Git",
        "Linux",
    ],
    "design": [
        "Figma",
        "typography",
        "logo",
        "illustration",
        "UX",
        "branding",
        "Photoshop",
        "Blender",
        "animation",
        "colour",
        "layout",
    ],
    "cooking": [
        "sourdough",
        "pasta",
        "sushi",
        "curry",
        "baking",
        "vegan",
        "tapas",
        "dumplings",
        "barbecue",
        "pastry",
        "fermentation",
        "knife-skills",
    ],
    "fitness": [
        "yoga",
        "running",
        "climbing",
        "swimming",
        "boxing",
        "pilates",
        "calisthenics",
        "cycling",
        "weightlifting",
        "stretching",
    ],
    "crafts": [
        "knitting",
        "pottery",
        "woodworking",
        "sewing",
        "embroidery",
        "crochet",
        "calligraphy",
        "origami",
        "leatherwork",
        "jewellery",
    ],
    "business": [
        "marketing",
        "accounting",
        "negotiation",
        "pitching",
        "Excel",
        "sales",
        "freelancing",
        "budgeting",
        "leadership",
        "copywriting",
    ],
    "academics": [
        "calculus",
        "statistics",
        "physics",
        "chemistry",
        "biology",
        "history",
        "philosophy",
        "economics",
        "essay-writing",
        "algebra",
    ],
    "wellbeing": [
        "meditation",
        "mindfulness",
        "journaling",
        "sleep",
        "breathing",
        "nutrition",
        "time-management",
    ],
    "photography": [
        "portrait",
        "landscape",
        "street",
        "film",
        "darkroom",
        "Lightroom",
        "lighting",
        "smartphone-photography",
    ],
    "other": [
        "chess",
        "gardening",
        "magic",
        "juggling",
        "astronomy",
        "beekeeping",
        "birdwatching",
        "public-speaking",
    ],
}
FORMATS = (
    "{s}",
    "{s} for beginners",
    "Conversational {s}",
    "Advanced {s}",
    "{s} fundamentals",
    "{s} practice sessions",
    "Intro to {s}",
    "{s} masterclass",
    "{s} for kids",
    "Weekend {s}",
)
SENTENCES = [
    "We meet online by video.",
    "Happy to meet in person in my city.",
    "Bring your own questions and we go from there.",
    "I have taught this for years and love beginners.",
    "Sessions are relaxed, practical and patient.",
    "Expect homework between sessions if you want it.",
    "I focus on the fundamentals first.",
    "Great if you are preparing for an exam.",
    "Weekend slots are easiest for me.",
    "Evenings work best after my day job.",
    "I share notes and exercises after each session.",
    "Kids and adults welcome.",
]
TAG_POOL = [
    "online",
    "in-person",
    "weekend",
    "evening",
    "kids",
    "exam",
    "travel",
    "career",
    "hobby",
    "theory",
    "practice",
]
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "Europe/Madrid",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Australia/Sydney",
    "Africa/Lagos",
    "UTC",
    "America/Mexico_City",
    "Europe/Warsaw",
]
FIRST = [
    "Ana",
    "Bo",
    "Cy",
    "Dee",
    "Eli",
    "Fay",
    "Gus",
    "Hal",
    "Ida",
    "Jo",
    "Kai",
    "Lu",
    "Mo",
    "Nia",
    "Oto",
    "Pia",
    "Quinn",
    "Ray",
    "Sol",
    "Tea",
]
LAST = [
    "Alvarez",
    "Berg",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "Garcia",
    "Hahn",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Moreau",
    "Novak",
]
LEVELS = ("beginner", "intermediate", "advanced", "expert")


def _title(rng: random.Random, category: str) -> tuple[str, list[str]]:
    subject = rng.choice(SUBJECTS[category])
    title = rng.choice(FORMATS).format(s=subject)
    title = title[0].upper() + title[1:]
    tags = [subject.lower().replace("-", " "), *rng.sample(TAG_POOL, rng.randint(0, 2))]
    return title[:80], tags


def _copy_or_insert(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if engine.dialect.name == "postgresql":
        columns = list(rows[0])
        with engine.begin() as conn:
            raw = conn.connection.driver_connection
            with raw.cursor() as cur:  # type: ignore[union-attr]
                with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(
                            [json.dumps(v) if isinstance(v, list) else v for v in row.values()]
                        )
        return
    with engine.begin() as conn:
        for i in range(0, len(rows), 20_000):
            conn.execute(insert(table), rows[i : i + 20_000])


def seeded_users(engine: Engine) -> int:
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(User)).scalar_one())
    except Exception:
        return 0


def seed(engine: Engine, *, users: int, skills: int, seed: int = 42, quiet: bool = False) -> None:
    rng = random.Random(seed)
    started = time.perf_counter()

    def say(msg: str) -> None:
        if not quiet:
            print(f"  [{time.perf_counter() - started:6.1f}s] {msg}", flush=True)

    SQLModel.metadata.create_all(engine)
    with Session(engine) as db:
        categories.seed_categories(db)
        db.commit()
        cat_ids = {c.slug: c.id for c in db.exec(select(Category)).all()}
    now = datetime.now(UTC)
    week = availability.utc_week_of(now)
    zones = [rng.choice(ZONES) for _ in range(users)]

    user_rows = []
    for i in range(1, users + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        langs = ["English", *rng.sample(LANGUAGES, rng.randint(0, 2))]
        langs = list(dict.fromkeys(langs))
        created = now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1440))
        user_rows.append(
            {
                "id": i, "email": f"bench{i}@example.com", "password_hash": "x" * 60,
                "display_name": name, "handle": f"bench-{i}", "role": "member",
                "status": "active" if rng.random() > 0.01 else "suspended", "bio": "",
                "languages": langs, "timezone": zones[i - 1], "avatar_path": None,
                "referral_code": f"ref{i}", "referred_by_id": None, "created_at": created,
                "onboarded_at": created if rng.random() > 0.03 else None, "calendar_token": None,
            }
        )  # fmt: skip
    _copy_or_insert(engine, User.__table__, user_rows)  # type: ignore[arg-type]
    say(f"{users} users")

    stats_rows, stats = [], {}
    for i in range(1, users + 1):
        if rng.random() < 0.6:
            count = rng.randint(1, 60)
            avg = round(rng.uniform(3.5, 5.0), 2)
            trust = round(rng.uniform(20, 99), 1)
            stats[i] = (avg, count, trust)
            stats_rows.append(
                {"user_id": i, "rating_avg": avg, "rating_count": count, "trust_score": trust,
                 "sessions_taught": count, "bayes_rating": avg, "last_upheld_report_at": None,
                 "breakdown": "", "updated_at": now}
            )  # fmt: skip
    _copy_or_insert(engine, TeacherStats.__table__, stats_rows)  # type: ignore[arg-type]

    slugs = list(SUBJECTS)
    skill_rows: list[dict[str, Any]] = []
    term_rows: list[dict[str, Any]] = []
    seen: set[tuple[int, str, str]] = set()

    def add(user_id: int, kind: str) -> None:
        slug = rng.choice(slugs)
        title, tags = _title(rng, slug)
        if (user_id, kind, title.lower()) in seen:
            return
        seen.add((user_id, kind, title.lower()))
        sid = len(skill_rows) + 1
        avg, count, trust = stats.get(user_id, (None, 0, None))
        created = now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
        skill_rows.append(
            {
                "id": sid, "user_id": user_id, "kind": kind, "category_id": cat_ids[slug],
                "title": title, "level": rng.choice(LEVELS),
                "description": f"{title}. " + " ".join(rng.sample(SENTENCES, 2))
                if kind == "teach" else "",
                "tags": tags, "created_at": created, "updated_at": created, "active": True,
                "sort_rating": avg or 0.0, "sort_rating_count": count,
                "sort_trust": trust or 0.0,
            }
        )  # fmt: skip
        base = {"skill_id": sid, "user_id": user_id, "kind": kind, "category_id": cat_ids[slug]}
        for tag in tags:
            term_rows.append({**base, "term": tag, "is_tag": True})
        for word in sorted(significant_words(title, *tags)):
            term_rows.append({**base, "term": word, "is_tag": False})

    for _ in range(skills):
        add(rng.randint(1, users), "teach")
    for user_id in range(1, users + 1):
        for _ in range(rng.randint(1, 3)):
            add(user_id, "learn")
    _copy_or_insert(engine, Skill.__table__, skill_rows)  # type: ignore[arg-type]
    say(f"{len(skill_rows)} skills (search index filled by triggers)")
    _copy_or_insert(engine, SkillTerm.__table__, term_rows)  # type: ignore[arg-type]
    say(f"{len(term_rows)} skill terms")

    window_rows, bitmap_rows = [], []
    for user_id in range(1, users + 1):
        windows: list[Window] = []
        for day in rng.sample(range(7), rng.randint(1, 4)):
            start = rng.choice(range(7 * 4, 20 * 4)) * 15
            end = min(start + rng.choice((60, 90, 120, 180, 240)), 24 * 60)
            windows.append(Window(day, start, end))
        tz = zones[user_id - 1]
        for w in windows:
            window_rows.append(
                {"user_id": user_id, "weekday": w.weekday, "start_minute": w.start_minute,
                 "end_minute": w.end_minute, "timezone": tz}
            )  # fmt: skip
        words = availability.bitmap_words(availability.weekly_bitmap(windows, tz, week))
        bitmap_rows.append(
            {"user_id": user_id, "week_of": week, **{f"w{i}": w for i, w in enumerate(words)}}
        )
    _copy_or_insert(engine, AvailabilityWindow.__table__, window_rows)  # type: ignore[arg-type]
    _copy_or_insert(engine, AvailabilityBitmap.__table__, bitmap_rows)  # type: ignore[arg-type]
    say(f"{len(window_rows)} availability windows")

    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("users", "skills", "availability_windows"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    say("analyzed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="database URL (empty database)")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--skills", type=int, default=100_000)
    args = parser.parse_args()
    engine = make_engine(args.url)
    if seeded_users(engine):
        raise SystemExit("That database already has users; use an empty one.")
    seed(engine, users=args.users, skills=args.skills)


if __name__ == "__main__":
    main()
