"""A living demo community (three dozen members) for the first run: members, skills, availability, past sessions.

Everything goes through the services (the same rules as real members), so the demo data
is valid data. Idempotent: a marker member means the community is already there.
All demo members share the password in DEMO_PASSWORD (shown in the README).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

import bartr.models  # noqa: F401
from bartr.db import unit_of_work
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import (
    accounts,
    availability,
    categories,
    ledger,
    passwords,
    profiles,
    sessions,
    trust,
)
from bartr.services.errors import DomainError

DEMO_PASSWORD = "bartr demo password"
MARKER_EMAIL = "maya@demo.bartr.app"


@dataclass(frozen=True)
class Person:
    name: str
    tz: str
    languages: tuple[str, ...]
    bio: str
    teaches: tuple[tuple[str, str, str, str], ...]  # category, title, level, tags
    learns: tuple[tuple[str, str, str, str], ...]
    windows: tuple[tuple[int, str, str], ...]


EVENINGS = ((0, "18:00", "21:00"), (2, "18:00", "21:00"), (5, "10:00", "13:00"))
MORNINGS = ((1, "08:00", "11:00"), (3, "08:00", "11:00"), (6, "09:00", "12:00"))
LUNCH = ((0, "12:00", "14:00"), (1, "12:00", "14:00"), (4, "12:00", "15:00"))
WEEKEND = ((5, "09:00", "17:00"), (6, "10:00", "16:00"))

PEOPLE: tuple[Person, ...] = (
    Person(
        "Maya Lopez",
        "Europe/Madrid",
        ("Spanish", "English"),
        "Spanish teacher by day, clumsy guitarist by night.",
        (
            ("languages", "Conversational Spanish", "expert", "spanish, conversation"),
            ("cooking", "Paella from scratch", "advanced", "spanish cuisine, rice"),
        ),
        (("music", "Guitar for beginners", "beginner", "guitar, chords"),),
        EVENINGS,
    ),
    Person(
        "Tom Becker",
        "Europe/Berlin",
        ("German", "English"),
        "Backend developer who loves teaching clean Python.",
        (
            ("programming", "Python fundamentals", "expert", "python, beginners"),
            ("programming", "SQL for analysts", "advanced", "sql, postgresql"),
        ),
        (("languages", "Conversational Spanish", "beginner", "spanish"),),
        EVENINGS,
    ),
    Person(
        "Aiko Tanaka",
        "Asia/Tokyo",
        ("Japanese", "English"),
        "Illustrator and calligrapher in Osaka.",
        (
            ("languages", "Japanese for travellers", "expert", "japanese, travel"),
            ("design", "Brush calligraphy", "expert", "calligraphy, ink"),
        ),
        (("programming", "Python fundamentals", "beginner", "python"),),
        MORNINGS,
    ),
    Person(
        "Lucas Moreau",
        "Europe/Paris",
        ("French", "English"),
        "Jazz guitarist and patient teacher.",
        (
            ("music", "Guitar for beginners", "expert", "guitar, chords, jazz"),
            ("languages", "French conversation", "expert", "french"),
        ),
        (("cooking", "Paella from scratch", "beginner", "spanish cuisine"),),
        EVENINGS,
    ),
    Person(
        "Priya Sharma",
        "Asia/Kolkata",
        ("Hindi", "English"),
        "Yoga teacher and data scientist.",
        (
            ("fitness", "Morning yoga flow", "expert", "yoga, flexibility"),
            ("programming", "Data analysis with pandas", "advanced", "python, pandas, data"),
        ),
        (("music", "Piano basics", "beginner", "piano"),),
        MORNINGS,
    ),
    Person(
        "Daniel Kim",
        "America/Los_Angeles",
        ("Korean", "English"),
        "UX designer who sketches everything.",
        (
            ("design", "Figma for beginners", "advanced", "figma, ui"),
            ("languages", "Korean basics", "expert", "korean"),
        ),
        (("fitness", "Morning yoga flow", "beginner", "yoga"),),
        LUNCH,
    ),
    Person(
        "Sofia Rossi",
        "Europe/Rome",
        ("Italian", "English"),
        "Home cook, pasta maker, nonna-trained.",
        (
            ("cooking", "Fresh pasta by hand", "expert", "pasta, italian cuisine"),
            ("languages", "Italian for beginners", "expert", "italian"),
        ),
        (("design", "Figma for beginners", "beginner", "figma"),),
        WEEKEND,
    ),
    Person(
        "Kwame Mensah",
        "Africa/Accra",
        ("English", "French"),
        "Entrepreneur; I help people pitch.",
        (
            ("business", "Pitching your idea", "expert", "pitch, startups"),
            ("business", "Bookkeeping basics", "intermediate", "finance, accounting"),
        ),
        (("photography", "Portrait photography", "beginner", "portrait"),),
        LUNCH,
    ),
    Person(
        "Emma Johnson",
        "America/New_York",
        ("English",),
        "Photographer who shoots people and streets.",
        (
            ("photography", "Portrait photography", "advanced", "portrait, lighting"),
            ("academics", "Essay writing", "advanced", "writing, essays"),
        ),
        (("languages", "French conversation", "intermediate", "french"),),
        EVENINGS,
    ),
    Person(
        "Mateus Silva",
        "America/Sao_Paulo",
        ("Portuguese", "Spanish", "English"),
        "Capoeira and Brazilian Portuguese.",
        (
            ("languages", "Brazilian Portuguese", "expert", "portuguese"),
            ("fitness", "Capoeira basics", "advanced", "capoeira, movement"),
        ),
        (("programming", "SQL for analysts", "beginner", "sql"),),
        WEEKEND,
    ),
    Person(
        "Hannah Schmidt",
        "Europe/Vienna",
        ("German", "English"),
        "Piano teacher, 20 years of students.",
        (
            ("music", "Piano basics", "expert", "piano, reading music"),
            ("languages", "German conversation", "expert", "german"),
        ),
        (("languages", "Japanese for travellers", "beginner", "japanese"),),
        MORNINGS,
    ),
    Person(
        "Omar Haddad",
        "Asia/Dubai",
        ("Arabic", "English"),
        "Arabic tutor and Excel wizard.",
        (
            ("languages", "Arabic for beginners", "expert", "arabic"),
            ("business", "Excel for everyday work", "advanced", "excel, spreadsheets"),
        ),
        (("fitness", "Capoeira basics", "beginner", "capoeira"),),
        EVENINGS,
    ),
    Person(
        "Lena Novak",
        "Europe/Prague",
        ("Czech", "English", "German"),
        "Potter with a small studio.",
        (
            ("crafts", "Wheel-thrown pottery", "advanced", "pottery, ceramics"),
            ("crafts", "Knitting your first scarf", "intermediate", "knitting"),
        ),
        (("business", "Pitching your idea", "beginner", "pitch"),),
        WEEKEND,
    ),
    Person(
        "Ravi Patel",
        "Europe/London",
        ("English", "Hindi"),
        "Maths tutor; makes calculus make sense.",
        (
            ("academics", "Calculus made clear", "expert", "maths, calculus"),
            ("academics", "Statistics for humans", "advanced", "statistics"),
        ),
        (("crafts", "Wheel-thrown pottery", "beginner", "pottery"),),
        LUNCH,
    ),
    Person(
        "Chloé Martin",
        "America/Montreal",
        ("French", "English"),
        "Mindfulness coach and runner.",
        (
            ("wellbeing", "Mindfulness for busy people", "advanced", "meditation, stress"),
            ("fitness", "Couch to 5k coaching", "intermediate", "running"),
        ),
        (("cooking", "Fresh pasta by hand", "beginner", "pasta"),),
        MORNINGS,
    ),
    Person(
        "Jonas Berg",
        "Europe/Stockholm",
        ("Swedish", "English"),
        "Woodworker and Swedish teacher.",
        (
            ("crafts", "Spoon carving", "advanced", "woodwork, carving"),
            ("languages", "Swedish basics", "expert", "swedish"),
        ),
        (("music", "Guitar for beginners", "beginner", "guitar"),),
        WEEKEND,
    ),
    Person(
        "Mei Chen",
        "Asia/Shanghai",
        ("Chinese (Mandarin)", "English"),
        "Mandarin teacher, tea lover.",
        (
            ("languages", "Mandarin for beginners", "expert", "mandarin, chinese"),
            ("cooking", "Dumplings from scratch", "advanced", "dumplings, chinese cuisine"),
        ),
        (("design", "Brush calligraphy", "beginner", "calligraphy"),),
        MORNINGS,
    ),
    Person(
        "Noah Williams",
        "Australia/Sydney",
        ("English",),
        "Surf coach turned JavaScript developer.",
        (
            ("programming", "JavaScript from zero", "advanced", "javascript, web"),
            ("fitness", "Surfing theory", "intermediate", "surf"),
        ),
        (("languages", "Mandarin for beginners", "beginner", "mandarin"),),
        EVENINGS,
    ),
    Person(
        "Fatima Zahra",
        "Africa/Casablanca",
        ("Arabic", "French", "English"),
        "Architect who teaches sketching.",
        (
            ("design", "Architectural sketching", "advanced", "sketching, drawing"),
            ("languages", "French conversation", "advanced", "french"),
        ),
        (("programming", "JavaScript from zero", "beginner", "javascript"),),
        LUNCH,
    ),
    Person(
        "Ingrid Olsen",
        "Europe/Oslo",
        ("Norwegian", "English"),
        "Baker; sourdough is my love language.",
        (
            ("cooking", "Sourdough basics", "expert", "bread, sourdough"),
            ("wellbeing", "Sleep better", "intermediate", "sleep"),
        ),
        (("languages", "Italian for beginners", "beginner", "italian"),),
        WEEKEND,
    ),
    Person(
        "Carlos Mendoza",
        "America/Mexico_City",
        ("Spanish", "English"),
        "Salsa dancer and Spanish tutor.",
        (
            ("fitness", "Salsa for two left feet", "advanced", "salsa, dance"),
            ("languages", "Mexican Spanish", "expert", "spanish"),
        ),
        (("photography", "Portrait photography", "beginner", "portrait"),),
        EVENINGS,
    ),
    Person(
        "Anna Kowalska",
        "Europe/Warsaw",
        ("Polish", "English"),
        "Product manager; I teach roadmaps.",
        (
            ("business", "Product roadmaps", "advanced", "product, planning"),
            ("languages", "Polish basics", "expert", "polish"),
        ),
        (("wellbeing", "Mindfulness for busy people", "beginner", "meditation"),),
        LUNCH,
    ),
    Person(
        "Yusuf Demir",
        "Europe/Istanbul",
        ("Turkish", "English"),
        "Photographer of food and markets.",
        (
            ("photography", "Food photography", "advanced", "food, lighting"),
            ("languages", "Turkish basics", "expert", "turkish"),
        ),
        (("cooking", "Sourdough basics", "beginner", "bread"),),
        WEEKEND,
    ),
    Person(
        "Grace Liu",
        "America/Chicago",
        ("English", "Chinese (Mandarin)"),
        "Statistician who loves chess.",
        (
            ("academics", "Chess openings", "advanced", "chess, strategy"),
            ("academics", "Statistics for humans", "expert", "statistics, r"),
        ),
        (("crafts", "Spoon carving", "beginner", "woodwork"),),
        EVENINGS,
    ),
    Person(
        "Sven Larsen",
        "Europe/Copenhagen",
        ("Danish", "English"),
        "Cyclist and bike mechanic.",
        (
            ("crafts", "Bike repair basics", "advanced", "bikes, repair"),
            ("languages", "Danish basics", "expert", "danish"),
        ),
        (("photography", "Food photography", "beginner", "food"),),
        EVENINGS,
    ),
    Person(
        "Amara Okafor",
        "Africa/Lagos",
        ("English",),
        "Product designer who loves clean typography.",
        (
            ("design", "Typography essentials", "advanced", "typography, fonts"),
            ("business", "Freelancing 101", "intermediate", "freelance, clients"),
        ),
        (("music", "Piano basics", "beginner", "piano"),),
        LUNCH,
    ),
    Person(
        "Hiroshi Sato",
        "Asia/Tokyo",
        ("Japanese", "English"),
        "Sushi chef on weekends.",
        (
            ("cooking", "Sushi at home", "expert", "sushi, japanese cuisine"),
            ("academics", "Go (the board game)", "advanced", "go, strategy"),
        ),
        (("languages", "Conversational Spanish", "beginner", "spanish"),),
        WEEKEND,
    ),
    Person(
        "Elena Petrova",
        "Europe/Sofia",
        ("Russian", "English"),
        "Violinist and music theory nerd.",
        (
            ("music", "Violin for adults", "expert", "violin, strings"),
            ("music", "Music theory made simple", "advanced", "theory, harmony"),
        ),
        (("programming", "JavaScript from zero", "beginner", "javascript"),),
        EVENINGS,
    ),
    Person(
        "Diego Alvarez",
        "America/Bogota",
        ("Spanish", "English"),
        "Barista; coffee is chemistry.",
        (
            ("cooking", "Coffee brewing at home", "expert", "coffee, brewing"),
            ("languages", "Colombian Spanish", "expert", "spanish"),
        ),
        (("design", "Architectural sketching", "beginner", "sketching"),),
        MORNINGS,
    ),
    Person(
        "Nadia Rahman",
        "Asia/Dhaka",
        ("Bengali", "English"),
        "Maths teacher and chess coach.",
        (
            ("academics", "Algebra without fear", "expert", "maths, algebra"),
            ("academics", "Chess openings", "intermediate", "chess"),
        ),
        (("wellbeing", "Sleep better", "beginner", "sleep"),),
        MORNINGS,
    ),
    Person(
        "Olivia Brown",
        "Europe/Dublin",
        ("English",),
        "Runner, physio and early riser.",
        (
            ("fitness", "Running form clinic", "advanced", "running, injury"),
            ("wellbeing", "Stretching for desk workers", "advanced", "stretching, posture"),
        ),
        (("crafts", "Knitting your first scarf", "beginner", "knitting"),),
        MORNINGS,
    ),
    Person(
        "Arjun Mehta",
        "Asia/Kolkata",
        ("Hindi", "English", "Punjabi"),
        "Backend engineer and tabla player.",
        (
            ("programming", "Go for backend developers", "advanced", "golang, backend"),
            ("music", "Tabla basics", "intermediate", "tabla, rhythm"),
        ),
        (("cooking", "Sourdough basics", "beginner", "bread"),),
        EVENINGS,
    ),
    Person(
        "Camille Dubois",
        "Europe/Brussels",
        ("French", "Dutch", "English"),
        "Watercolour painter.",
        (
            ("design", "Watercolour landscapes", "advanced", "watercolour, painting"),
            ("languages", "Dutch basics", "expert", "dutch"),
        ),
        (("business", "Product roadmaps", "beginner", "product"),),
        WEEKEND,
    ),
    Person(
        "Tariq Aziz",
        "Asia/Karachi",
        ("Urdu", "English"),
        "Calligrapher and poet.",
        (
            ("design", "Urdu calligraphy", "expert", "calligraphy, ink"),
            ("languages", "Urdu for beginners", "expert", "urdu"),
        ),
        (("photography", "Portrait photography", "beginner", "portrait"),),
        LUNCH,
    ),
    Person(
        "Sara Lindqvist",
        "Europe/Stockholm",
        ("Swedish", "English"),
        "UX researcher; I teach interviews.",
        (
            ("business", "User interviews", "advanced", "ux, research"),
            ("wellbeing", "Mindful walking", "intermediate", "walking, meditation"),
        ),
        (("languages", "Italian for beginners", "beginner", "italian"),),
        LUNCH,
    ),
    Person(
        "Kofi Boateng",
        "Africa/Accra",
        ("English",),
        "Drummer and sound engineer.",
        (
            ("music", "Djembe drumming", "expert", "drums, rhythm"),
            ("music", "Home recording", "advanced", "audio, mixing"),
        ),
        (("academics", "Essay writing", "beginner", "writing"),),
        EVENINGS,
    ),
)

SESSION_PAIRS = (  # (learner, teacher, teach skill title)
    ("Tom Becker", "Maya Lopez", "Conversational Spanish"),
    ("Maya Lopez", "Lucas Moreau", "Guitar for beginners"),
    ("Aiko Tanaka", "Tom Becker", "Python fundamentals"),
    ("Daniel Kim", "Priya Sharma", "Morning yoga flow"),
    ("Emma Johnson", "Lucas Moreau", "French conversation"),
    ("Hannah Schmidt", "Aiko Tanaka", "Japanese for travellers"),
    ("Priya Sharma", "Hannah Schmidt", "Piano basics"),
    ("Lucas Moreau", "Maya Lopez", "Paella from scratch"),
    ("Kwame Mensah", "Emma Johnson", "Portrait photography"),
    ("Ravi Patel", "Lena Novak", "Wheel-thrown pottery"),
)


def _email(person: Person) -> str:
    return person.name.split()[0].lower().replace("é", "e") + "@demo.bartr.app"


def seed(*, now: datetime | None = None) -> str:
    now = now or utcnow()
    with unit_of_work() as db:
        categories.seed_categories(db)
        exists = db.exec(select(User.id).where(User.email == MARKER_EMAIL)).first() is not None
        if exists:
            return "already present (nothing changed)"
        users = _members(db, now)
    with unit_of_work() as db:
        done = _past_sessions(db, users, now)
    with unit_of_work() as db:
        _stats(db, users)
    return f"{len(users)} members, {sum(len(p.teaches) for p in PEOPLE)} skills offered, {done} past sessions"


def _members(db: Session, now: datetime) -> dict[str, User]:
    shared_hash = passwords.hash_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for person in PEOPLE:
        user = accounts.do_sign_up(
            db, email=_email(person), password=DEMO_PASSWORD, display_name=person.name
        )
        user.password_hash = shared_hash
        user.created_at = now - timedelta(days=random.Random(person.name).randint(40, 400))
        accounts.do_complete_onboarding(
            db, actor=user, bio=person.bio, languages=list(person.languages), timezone=person.tz
        )
        for kind, entries in (("teach", person.teaches), ("learn", person.learns)):
            for category, title, level, tags in entries:
                profiles.do_add_skill(
                    db, actor=user, kind=kind, category_slug=category, title=title, level=level,
                    tags=tags, description=f"{title}: {person.bio}" if kind == "teach" else "",
                )  # fmt: skip
        availability.do_set_availability(db, actor=user, windows=list(person.windows), now=now)
        ledger.grant(
            db, user_id=user.id or 0, amount=4 * 60, system="welcome", kind="welcome",
            key=f"demo:starter:{user.id}", memo="Demo starter credits", cause_type="user",
            cause_id=user.id,
        )  # fmt: skip
        users[person.name] = user
    db.flush()
    return users


def _past_sessions(db: Session, users: dict[str, User], now: datetime) -> int:
    done = 0
    for index, (learner_name, teacher_name, title) in enumerate(SESSION_PAIRS):
        learner, teacher = users[learner_name], users[teacher_name]
        skill = next(
            s
            for s in profiles.skills_of(db, user_id=teacher.id or 0, kind="teach")
            if s.title == title
        )
        asked_at = now - timedelta(days=21 - index)
        slots = availability.next_free_slots(
            db,
            user_id=teacher.id or 0,
            after=asked_at + timedelta(hours=2),
            duration_minutes=60,
            limit=1,
        )
        if not slots:
            continue
        try:
            booked = sessions.do_request_session(
                db, actor=learner, skill_id=skill.id, duration_minutes=60, start_times=slots,
                message="Looking forward to it!", now=asked_at,
            )  # fmt: skip
            sessions.do_accept(
                db, actor=teacher, session_id=booked.id or 0, starts_at=slots[0], now=asked_at
            )
            end = slots[0] + timedelta(minutes=60)
            sessions.do_mark_complete(
                db, actor=teacher, session_id=booked.id or 0, now=end + timedelta(minutes=5)
            )
            sessions.do_confirm_complete(
                db, actor=learner, session_id=booked.id or 0, now=end + timedelta(hours=1)
            )
            done += 1
        except DomainError:
            continue  # a demo pairing that the rules refuse is simply skipped
    return done


def _stats(db: Session, users: dict[str, User]) -> None:
    for name, user in users.items():
        rng = random.Random(name)
        count = rng.randint(0, 14)
        trust.do_record_teacher_stats(
            db,
            user_id=user.id or 0,
            rating_avg=round(rng.uniform(4.2, 5.0), 1) if count else None,
            rating_count=count,
            trust_score=float(rng.randint(55, 97)) if count else None,
            sessions_taught=count,
        )
