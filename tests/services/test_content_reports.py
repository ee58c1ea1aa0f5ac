"""Messages and course items as report targets (#25.1, #25.3): who may report them, what the
moderation queue shows around them, and removing / restoring them."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bartr.models.accounts import Role
from bartr.models.courses import CourseItem
from bartr.models.safety import ReportStatus
from bartr.services import courses, messages, moderation, moderation_actions, reports
from bartr.services.errors import NotAllowed, NotFound
from tests.doubles import MemoryStorage
from tests.factories import make_user
from tests.services.course_factories import make_world


def _thread(db: Session, n: int = 9):  # type: ignore[no-untyped-def]
    """Maya and Ben alternate n messages; returns them and the message ids, oldest first."""
    maya, ben = make_user(db, name="Maya Lopez"), make_user(db, name="Ben Ode")
    conversation = messages.do_open_conversation(db, actor=maya, other_id=ben.id or 0)
    db.commit()
    ids = []
    for i in range(n):
        sender = maya if i % 2 == 0 else ben
        sent = messages.do_send_message(
            db, actor=sender, conversation_id=conversation.id or 0, body=f"message {i}"
        )
        db.commit()
        ids.append(sent.id or 0)
    return maya, ben, conversation.id or 0, ids


def test_the_other_member_reports_a_message_and_the_admin_sees_the_ones_around_it(
    db: Session,
) -> None:
    maya, ben, _, ids = _thread(db, n=13)
    reported = ids[6]  # "message 6", from Maya
    made = reports.do_report(
        db, actor=ben, kind="message", target_id=reported, reason="harassment", details="Rude"
    )
    db.commit()
    assert made.subject_id == maya.id
    assert reports.my_reports(db, actor=ben)[0].what == "A message by Maya Lopez"

    admin = make_user(db, role=Role.ADMIN)
    detail = moderation.report_detail(db, actor=admin, report_id=made.id or 0)
    assert detail.row.target_label == "Message from Maya Lopez"
    assert [line.text for line in detail.context] == [f"message {i}" for i in range(1, 12)]
    assert [line.text for line in detail.context if line.highlighted] == ["message 6"]
    assert {line.who for line in detail.context} == {"Maya Lopez", "Ben Ode"}
    assert detail.can_remove


def test_only_the_pair_can_report_a_message_and_never_their_own(db: Session) -> None:
    maya, ben, _, ids = _thread(db, n=2)
    stranger = make_user(db)
    with pytest.raises(NotFound, match="doesn't exist"):  # a guessed id learns nothing
        reports.do_report(db, actor=stranger, kind="message", target_id=ids[0], reason="spam")
    with pytest.raises(NotAllowed, match="yourself or your own"):
        reports.do_report(db, actor=maya, kind="message", target_id=ids[0], reason="spam")
    with pytest.raises(NotFound):
        reports.do_report(db, actor=ben, kind="message", target_id=10**9, reason="spam")


def test_removing_a_message_hides_its_text_from_the_pair_until_restored(db: Session) -> None:
    maya, ben, conversation_id, ids = _thread(db, n=3)
    made = reports.do_report(db, actor=ben, kind="message", target_id=ids[2], reason="spam")
    db.commit()
    admin = make_user(db, role=Role.ADMIN)
    moderation_actions.do_remove_content(
        db, actor=admin, kind="message", target_id=ids[2], note="Spam link", report_id=made.id
    )
    db.commit()
    assert db.get(type(made), made.id).status == ReportStatus.ACTIONED  # type: ignore[union-attr]
    for member in (maya, ben):
        page = messages.thread(db, actor=member, conversation_id=conversation_id)
        assert [m.body for m in page.messages] == [
            "message 0",
            "message 1",
            messages.REMOVED_BODY,
        ]
        [row] = messages.list_conversations(db, actor=member)
        assert "message 2" not in repr(row)
    # Removed: it can't be reported again; the admin's context still shows what was said.
    with pytest.raises(NotFound, match="removed"):
        reports.do_report(db, actor=ben, kind="message", target_id=ids[2], reason="other")
    context = moderation.report_detail(db, actor=admin, report_id=made.id or 0).context
    assert [c.text for c in context if c.highlighted] == ["message 2 (removed)"]

    moderation_actions.do_restore_content(
        db, actor=admin, kind="message", target_id=ids[2], note="Appeal upheld"
    )
    db.commit()
    page = messages.thread(db, actor=maya, conversation_id=conversation_id)
    assert page.messages[-1].body == "message 2"


def test_a_course_item_is_reported_against_its_teacher_and_removed_softly(db: Session) -> None:
    world = make_world(db, MemoryStorage())
    learner, stranger = world.members["accepted"], world.members["stranger"]
    assert learner is not None and stranger is not None
    made = reports.do_report(
        db, actor=stranger, kind="course_item", target_id=world.pdf.id or 0, reason="inappropriate"
    )
    db.commit()
    assert made.subject_id == world.teacher.id
    with pytest.raises(NotAllowed):
        reports.do_report(
            db, actor=world.teacher, kind="course_item", target_id=world.pdf.id or 0, reason="spam"
        )

    admin = world.members["admin"]
    assert admin is not None
    detail = moderation.report_detail(db, actor=admin, report_id=made.id or 0)
    assert detail.row.target_label == "Course item in Spanish from zero"
    [course_line, item_line] = detail.context
    assert "Spanish from zero" in course_line.text and not course_line.highlighted
    assert item_line.highlighted and "PDF" in item_line.text and "Lesson 1 notes" in item_line.text

    moderation_actions.do_remove_content(
        db,
        actor=admin,
        kind="course_item",
        target_id=world.pdf.id or 0,
        note="Copyrighted",
        report_id=made.id,
    )
    db.commit()
    view = courses.course_view(db, viewer=learner, course_id=world.course.id or 0)
    assert world.pdf.id not in {i.id for i in view.items}
    with pytest.raises(NotFound):
        reports.do_report(
            db, actor=learner, kind="course_item", target_id=world.pdf.id or 0, reason="spam"
        )

    moderation_actions.do_restore_content(
        db, actor=admin, kind="course_item", target_id=world.pdf.id or 0, note="Licensed after all"
    )
    db.commit()
    restored = db.get(CourseItem, world.pdf.id)
    assert restored is not None and restored.deleted_at is None
    view = courses.course_view(db, viewer=learner, course_id=world.course.id or 0)
    assert world.pdf.id in {i.id for i in view.items}
