"""A living demo community (three dozen members) for the first run: members, skills, availability, past sessions and their ratings.

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
    ratings,
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
        user.email_verified_at = user.created_at  # demo addresses count as confirmed
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


STAR_TEACHERS = ("Maya Lopez", "Lucas Moreau", "Priya Sharma")  # long, strong records
REVIEWS = {
    5: (
        "Clear explanations and lots of patience: exactly what I needed.",
        "Brilliant session, I finally get it. Booking again!",
        "Well prepared, friendly and fun. Highly recommend.",
        "Knows the subject inside out and explains it simply.",
        "Encouraging and precise; I learned more in an hour than in a month alone.",
    ),
    4: (
        "Very helpful session; we ran a little short on time.",
        "Good pace and useful exercises to take home.",
        "Friendly and knowledgeable, a bit fast for me at times.",
    ),
    3: ("Helpful, though a little unstructured.", "Nice person, but we lost time getting set up."),
    2: ("We mostly chatted; I hoped for more structure.",),
}
LEARNER_NOTES = ("Curious and well prepared learner.", "On time and motivated, a pleasure.")


@dataclass(frozen=True)
class PastSession:
    learner: str
    teacher: str
    title: str
    days_ago: int
    stars: int
    teacher_cancels: bool = False


def _history_plan() -> list[PastSession]:
    """Who learned what from whom, when, and how it went (deterministic)."""
    rng = random.Random("bartr demo history")
    plan = [
        PastSession(learner, teacher, title, 21 - i, 5 if i % 3 else 4)
        for i, (learner, teacher, title) in enumerate(SESSION_PAIRS)
    ]
    names = [p.name for p in PEOPLE]
    for person in PEOPLE:
        if not person.teaches:
            continue
        star = person.name in STAR_TEACHERS
        count = rng.randint(15, 18) if star else rng.choice((0, 1, 2, 3, 4, 5, 6))
        good = 0.9 if star else rng.uniform(0.55, 0.9)
        for _ in range(count):
            learner = rng.choice([n for n in names if n != person.name])
            stars = 5 if rng.random() < good else rng.choice((4, 4, 4, 3, 2))
            plan.append(
                PastSession(
                    learner, person.name, rng.choice(person.teaches)[1],
                    rng.randint(16, 110 if star else 300), stars,
                )
            )  # fmt: skip
        if not star and rng.random() < 0.2:
            learner = rng.choice([n for n in names if n != person.name])
            title = person.teaches[0][1]
            plan.append(PastSession(learner, person.name, title, rng.randint(16, 200), 0, True))
    plan.sort(key=lambda p: -p.days_ago)
    return plan


def _past_sessions(db: Session, users: dict[str, User], now: datetime) -> int:
    """Past sessions through the real services, each rated by its learner (and often by
    its teacher): every star, score and badge on the demo is computed, never written."""
    plan = _history_plan()
    cost = {}
    for item in plan:
        cost[item.learner] = cost.get(item.learner, 0) + 60
    for name, amount in cost.items():
        user = users[name]
        ledger.grant(
            db, user_id=user.id or 0, amount=amount, system="welcome", kind="welcome",
            key=f"demo:history:{user.id}", memo="Demo credits for past sessions",
            cause_type="user", cause_id=user.id,
        )  # fmt: skip
    rng = random.Random("bartr demo reviews")
    done = 0
    for index, item in enumerate(plan):
        learner, teacher = users[item.learner], users[item.teacher]
        skill = next(
            s
            for s in profiles.skills_of(db, user_id=teacher.id or 0, kind="teach")
            if s.title == item.title
        )
        asked_at = now - timedelta(days=item.days_ago, minutes=index)
        slots = availability.next_free_slots(
            db,
            user_id=teacher.id or 0,
            after=asked_at + timedelta(hours=2),
            duration_minutes=60,
            limit=1,
        )
        if not slots or slots[0] + timedelta(days=1) > now:
            continue
        try:
            with db.begin_nested():
                booked = sessions.do_request_session(
                    db, actor=learner, skill_id=skill.id, duration_minutes=60,
                    start_times=slots, message="Looking forward to it!", now=asked_at,
                )  # fmt: skip
                sid = booked.id or 0
                sessions.do_accept(
                    db, actor=teacher, session_id=sid, starts_at=slots[0], now=asked_at
                )
                if item.teacher_cancels:
                    sessions.do_cancel(
                        db, actor=teacher, session_id=sid, reason="Something came up, sorry.",
                        now=asked_at + timedelta(minutes=30),
                    )  # fmt: skip
                    continue
                end = slots[0] + timedelta(minutes=60)
                sessions.do_mark_complete(
                    db, actor=teacher, session_id=sid, now=end + timedelta(minutes=5)
                )
                sessions.do_confirm_complete(
                    db, actor=learner, session_id=sid, now=end + timedelta(hours=1)
                )
                _rate(db, rng, item, learner=learner, teacher=teacher, session_id=sid, end=end)
            done += 1
        except DomainError:
            continue  # a demo pairing that the rules refuse is simply skipped
    ratings.publish_due(db, now=now)
    for user in users.values():
        trust.recompute_teacher(db, user.id or 0, now=now)
    return done


def _rate(
    db: Session,
    rng: random.Random,
    item: PastSession,
    *,
    learner: User,
    teacher: User,
    session_id: int,
    end: datetime,
) -> None:
    texts = REVIEWS[max(item.stars, 2)]
    prompts = rng.sample(ratings.PROMPTS_FOR_TEACHER, 2) if item.stars >= 4 else []
    review = ratings.do_rate(
        db, actor=learner, session_id=session_id, stars=item.stars, text=rng.choice(texts),
        prompts=prompts, now=end + timedelta(hours=3),
    )  # fmt: skip
    if rng.random() < 0.6:
        ratings.do_rate(
            db, actor=teacher, session_id=session_id, stars=5, text=rng.choice(LEARNER_NOTES),
            now=end + timedelta(hours=5),
        )  # fmt: skip
    if rng.random() < 0.25:
        ratings.do_reply(
            db, actor=teacher, rating_id=review.id or 0, now=end + timedelta(days=8),
            text="Thank you! It was a pleasure, see you next time.",
        )  # fmt: skip
