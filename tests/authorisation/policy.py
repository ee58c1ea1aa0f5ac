"""Who may call each Reflex event handler and each /api route: one entry per handler.

The matrix test (test_matrix.py) walks the compiled app's state tree and the API's routes;
a handler or route without an entry here fails it. The kinds:

- UI      changes only the tab's own view (dialogs, inputs, filters); never the database.
- PUBLIC  anyone, logged in or not (pages that show public data, sign-up, log-in).
- MEMBER  a logged-in, active member, acting on their own things; the services refuse
          anything else, so nobody else's data changes whatever the arguments.
- ADMIN   admins only: for everyone else the database must stay exactly as it was.

`args` lists extra argument tuples worth trying beyond the generated hostile ones; names
in capitals are resolved against the test world (OWNER, SESSION, OWNER_SKILL, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

UI, PUBLIC, MEMBER, ADMIN = "ui", "public", "member", "admin"


@dataclass(frozen=True)
class Entry:
    who: str
    args: tuple[tuple[object, ...], ...] = field(default_factory=tuple)


HOSTILE_FORM = "HOSTILE_FORM"

HANDLERS: dict[str, Entry] = {
    # --- the base state -------------------------------------------------------------
    "EventHandlerSetVar.setvar": Entry(
        UI, args=(("is_admin", True), ("_user_id", "OWNER"), ("token", "x" * 300))
    ),
    "AuthState.check_login": Entry(PUBLIC),
    "AuthState.require_login": Entry(PUBLIC),
    "AuthState.require_admin": Entry(PUBLIC),
    "AuthState.mark_loaded": Entry(UI, args=(("/wallet",), ("<b>made up</b>",))),
    "AuthState.log_out": Entry(PUBLIC),
    "AuthState.log_out_everywhere": Entry(MEMBER),
    # --- accounts -------------------------------------------------------------------
    "SignupState.load": Entry(PUBLIC),
    "SignupState.submit": Entry(PUBLIC),
    "LoginState.load": Entry(PUBLIC),
    "LoginState.submit": Entry(UI),
    "LoginState.show_error": Entry(UI, args=(("<b>made up</b>",), ({"x": 1},))),
    "ForgotPasswordState.load": Entry(PUBLIC),
    "ForgotPasswordState.submit": Entry(PUBLIC),  # mails only the address's owner
    "ResetPasswordState.load": Entry(PUBLIC),  # shows an error code; the form posts to /api
    "VerifyEmailState.load": Entry(PUBLIC),
    "VerifyBannerState.resend": Entry(MEMBER),
    "UnsubscribeState.load": Entry(PUBLIC),  # the signed link in the URL is the key
    "UnsubscribeState.undo": Entry(PUBLIC),
    "EmailPrefsState.load": Entry(MEMBER),
    "EmailPrefsState.set_email": Entry(MEMBER, args=(("message", True), ("accepted", False))),
    "EmailPrefsState.set_digest": Entry(MEMBER, args=((False,),)),
    "OnboardingState.load": Entry(MEMBER),
    "OnboardingState.set_browser_timezone": Entry(UI),
    "OnboardingState.set_bio": Entry(UI),
    "OnboardingState.set_timezone": Entry(UI),
    "OnboardingState.toggle_language": Entry(UI),
    "OnboardingState.next_step": Entry(MEMBER),
    "OnboardingState.finish": Entry(MEMBER),
    # --- video calls (#24): reading and issuing a room pass write nothing -------------
    "SessionCallState.load_call": Entry(MEMBER),
    "SessionCallState.tick": Entry(MEMBER, args=(("in 5 minutes",),)),
    "SessionRoomState.load_room": Entry(MEMBER),
    "SessionRoomState.join": Entry(
        MEMBER, args=(({"videoEnabled": True, "audioEnabled": False},), ("x",))
    ),
    "SessionRoomState.connected": Entry(UI),
    "SessionRoomState.connection_failed": Entry(UI),
    "SessionRoomState.left": Entry(UI),
    "SessionRoomState.preview_failed": Entry(UI),
    "SessionRoomState.device_failed": Entry(UI, args=(("PermissionDenied",),)),
    # --- home, marketplace, profiles ------------------------------------------------
    "HomeState.load": Entry(PUBLIC),
    "ForYouState.load": Entry(PUBLIC),
    "MarketplaceState.load": Entry(PUBLIC),
    "MarketplaceState.submit_search": Entry(PUBLIC),
    "MarketplaceState.choose_category": Entry(PUBLIC),
    "MarketplaceState.choose_level": Entry(PUBLIC),
    "MarketplaceState.choose_language": Entry(PUBLIC),
    "MarketplaceState.choose_sort": Entry(PUBLIC),
    "MarketplaceState.set_free": Entry(PUBLIC),
    "MarketplaceState.add_tag": Entry(PUBLIC),
    "MarketplaceState.remove_tag": Entry(PUBLIC),
    "MarketplaceState.clear_filters": Entry(PUBLIC),
    "MarketplaceState.set_four_stars": Entry(PUBLIC),
    "MarketplaceState.toggle_filters": Entry(UI),
    "MarketplaceState.set_tag_draft": Entry(UI),
    "MarketplaceState.tag_key": Entry(PUBLIC),
    "ProfileViewState.load": Entry(PUBLIC),
    "ProfileViewState.open_reply": Entry(UI),
    "ProfileViewState.close_reply": Entry(UI),
    "ProfileViewState.set_reply_text": Entry(UI),
    "ProfileViewState.send_reply": Entry(MEMBER),
    "TrustEditorState.load": Entry(MEMBER),
    "ProfileEditState.load": Entry(MEMBER),
    "ProfileEditState.set_display_name": Entry(UI),
    "ProfileEditState.set_bio": Entry(UI),
    "ProfileEditState.set_timezone": Entry(UI),
    "ProfileEditState.toggle_language": Entry(UI),
    "ProfileEditState.save": Entry(MEMBER),
    "ProfileEditState.set_avatar_rejected": Entry(UI),
    "ProfileEditState.upload_avatar": Entry(MEMBER),
    "SkillEditorState.load": Entry(MEMBER),
    "SkillEditorState.open_new": Entry(UI),
    "SkillEditorState.open_edit": Entry(MEMBER, args=(("OWNER_SKILL",),)),
    "SkillEditorState.set_dialog_open": Entry(UI),
    "SkillEditorState.set_f_category": Entry(UI),
    "SkillEditorState.set_f_level": Entry(UI),
    "SkillEditorState.set_f_title": Entry(UI),
    "SkillEditorState.set_f_description": Entry(UI),
    "SkillEditorState.set_tag_draft": Entry(UI),
    "SkillEditorState.tag_key": Entry(UI),
    "SkillEditorState.add_tag": Entry(UI),
    "SkillEditorState.remove_tag": Entry(UI),
    "SkillEditorState.save": Entry(MEMBER),
    "SkillEditorState.ask_remove": Entry(UI, args=(("OWNER_SKILL",),)),
    "SkillEditorState.cancel_remove": Entry(UI),
    "SkillEditorState.set_confirm_open": Entry(UI),
    "SkillEditorState.remove": Entry(MEMBER),
    "AvailabilityEditorState.load": Entry(MEMBER),
    "AvailabilityEditorState.add_window": Entry(UI),
    "AvailabilityEditorState.remove_window": Entry(UI),
    "AvailabilityEditorState.set_start": Entry(UI),
    "AvailabilityEditorState.set_end": Entry(UI),
    "AvailabilityEditorState.save": Entry(MEMBER),
    "AvailabilityEditorState.discard": Entry(MEMBER),
    "AvailabilityEditorState.save_and_finish": Entry(MEMBER),
    # --- course content (the teacher's own courses; learners read what they unlocked) --
    "MyCoursesState.load": Entry(MEMBER),
    "MyCoursesState.start": Entry(UI),
    "MyCoursesState.close": Entry(UI),
    "MyCoursesState.set_f_title": Entry(UI),
    "MyCoursesState.set_f_description": Entry(UI),
    "MyCoursesState.create": Entry(MEMBER),
    "CoursePageState.load": Entry(MEMBER),
    "CoursePageState.open_item": Entry(MEMBER),
    "CoursePageState.close_item": Entry(UI),
    "CoursePageState.set_f_title": Entry(UI),
    "CoursePageState.set_f_description": Entry(UI),
    "CoursePageState.set_confirm_delete_course": Entry(UI),
    "CoursePageState.save_details": Entry(MEMBER),
    "CoursePageState.move": Entry(MEMBER),
    "CoursePageState.delete_item": Entry(MEMBER),
    "CoursePageState.delete_course": Entry(MEMBER),
    "CoursePageState.upload": Entry(MEMBER),
    "CoursePageState.on_progress": Entry(UI),
    "CoursePageState.upload_rejected": Entry(UI),
    "AdminContentState.load": Entry(ADMIN),
    "AdminContentState.restore": Entry(ADMIN),
    # --- sessions -------------------------------------------------------------------
    "SessionsListState.load": Entry(MEMBER),
    "SessionsListState.set_tab": Entry(MEMBER),
    "SessionsListState.retry": Entry(MEMBER),
    "SessionRequestState.load": Entry(MEMBER),
    "SessionRequestState.set_duration": Entry(MEMBER),
    "SessionRequestState.pick_day": Entry(UI),
    "SessionRequestState.toggle": Entry(UI),
    "SessionRequestState.send": Entry(MEMBER),
    "SessionDetailState.load": Entry(MEMBER),
    "SessionDetailState.open_dialog": Entry(UI),
    "SessionDetailState.dialog_changed": Entry(UI),
    "SessionDetailState.open_reschedule": Entry(MEMBER),
    "SessionDetailState.pick_day": Entry(UI),
    "SessionDetailState.toggle": Entry(UI),
    "SessionDetailState.accept": Entry(MEMBER),
    "SessionDetailState.decline": Entry(MEMBER),
    "SessionDetailState.propose": Entry(MEMBER),
    "SessionDetailState.withdraw": Entry(MEMBER),
    "SessionDetailState.cancel": Entry(MEMBER),
    "SessionDetailState.mark_complete": Entry(MEMBER),
    "SessionDetailState.confirm_complete": Entry(MEMBER),
    "SessionDetailState.dispute": Entry(MEMBER),
    "SessionDetailState.report_no_show": Entry(MEMBER),
    # --- ratings (on the session page) ----------------------------------------------
    "RatingState.load": Entry(MEMBER),
    "RatingState.set_stars": Entry(UI),
    "RatingState.set_text": Entry(UI),
    "RatingState.toggle_prompt": Entry(UI),
    "RatingState.start_edit": Entry(UI),
    "RatingState.cancel_edit": Entry(UI),
    "RatingState.submit": Entry(MEMBER),
    # --- messages and the notification centre ---------------------------------------
    "LiveState.connect": Entry(PUBLIC),
    "LiveState.open_notification": Entry(MEMBER, args=((1,),)),
    "LiveState.mark_all_read": Entry(MEMBER),
    "ChatState.load": Entry(MEMBER),
    "ChatState.load_for_session": Entry(MEMBER),
    "ChatState.load_older": Entry(MEMBER),
    # Writes nothing itself (it tells the other member "typing…"); MEMBER because the
    # prelude's load marks the owner's thread read, which a UI entry may not do.
    "ChatState.set_draft": Entry(MEMBER, args=(("hello",),)),
    "ChatState.send": Entry(MEMBER, args=(({"body": "hostile message"},),)),
    "NotificationsState.load": Entry(MEMBER),
    "NotificationsState.set_show": Entry(MEMBER, args=(("unread",),)),
    "NotificationsState.mark_read": Entry(MEMBER, args=((1,),)),
    "NotificationsState.mark_everything_read": Entry(MEMBER),
    # --- wallet ---------------------------------------------------------------------
    "WalletState.notice_shown": Entry(UI),
    "WalletState.load": Entry(MEMBER),
    "WalletState.load_more": Entry(MEMBER),
    "WalletState.buy": Entry(MEMBER),
    "WalletState.export_csv": Entry(MEMBER),
    # --- safety: report, block, settings --------------------------------------------
    "SafetyState.notice_shown": Entry(UI),
    "SafetyState.start_report": Entry(UI, args=(("member", "OWNER", "x"),)),
    "SafetyState.start_member_report": Entry(MEMBER, args=(("OWNER_HANDLE",),)),
    "SafetyState.set_report_open": Entry(UI),
    "SafetyState.set_report_reason": Entry(UI),
    "SafetyState.set_report_details": Entry(UI),
    "SafetyState.send_report": Entry(MEMBER),
    "SafetyState.start_block": Entry(UI, args=(("OWNER_HANDLE", "x"),)),
    "SafetyState.set_block_open": Entry(UI),
    "SafetyState.confirm_block": Entry(MEMBER),
    "SettingsState.load": Entry(MEMBER),
    "SettingsState.unblock": Entry(MEMBER),
    "SettingsState.acknowledge": Entry(MEMBER, args=(("WARNING",),)),
    "SettingsState.download_data": Entry(MEMBER),
    "SettingsState.open_delete": Entry(MEMBER),
    "SettingsState.set_delete_open": Entry(UI),
    "SettingsState.delete_account": Entry(
        MEMBER, args=(({"password": "correct horse battery staple", "confirm": "on"},),)
    ),
    # --- admin ----------------------------------------------------------------------
    "AdminCreditsState.set_query": Entry(UI),
    "AdminCreditsState.set_amount": Entry(UI),
    "AdminCreditsState.set_reason": Entry(UI),
    "AdminCreditsState.set_confirm_open": Entry(UI),
    "AdminCreditsState.notice_shown": Entry(UI),
    "AdminCreditsState.load": Entry(ADMIN),
    "AdminCreditsState.find_member": Entry(ADMIN, args=(({"query": "OWNER_HANDLE"},),)),
    "AdminCreditsState.review": Entry(ADMIN),
    "AdminCreditsState.confirm": Entry(ADMIN),
    "AdminModerationState.load": Entry(ADMIN),
    "AdminModerationState.set_new_category": Entry(UI),
    "AdminModerationState.add_category": Entry(ADMIN),
    "AdminModerationState.toggle_category": Entry(ADMIN, args=(("CATEGORY", False),)),
    "AdminModerationState.rename_category": Entry(ADMIN, args=(("CATEGORY", "Renamed"),)),
    "AdminModerationState.resolve": Entry(ADMIN, args=(("SESSION", "learner"),)),
    "AdminReportsState.load": Entry(ADMIN),
    "AdminReportsState.notice_shown": Entry(UI),
    "AdminReportsState.set_panel_open": Entry(UI),
    "AdminReportsState.set_action": Entry(UI),
    "AdminReportsState.set_days": Entry(UI),
    "AdminReportsState.set_note": Entry(UI),
    "AdminReportsState.open_report": Entry(ADMIN, args=(("REPORT",),)),
    "AdminReportsState.apply": Entry(ADMIN),
    "AdminAuditState.load": Entry(ADMIN),
    "AdminAuditState.load_older": Entry(ADMIN),
    "AdminAuditState.set_action_filter": Entry(ADMIN),
    "AdminAuditState.set_person_filter": Entry(UI),
    "AdminAuditState.apply_person_filter": Entry(ADMIN),
}

# Handlers whose state keeps what they act on from an earlier event (the page's load, a
# dialog opened before): the matrix runs these first, in the same state, so the call under
# test reaches the service with a real target.
PRELUDE: dict[str, tuple[tuple[str, tuple[object, ...]], ...]] = {
    "SessionDetailState": (("load", ()),),
    "SessionRequestState": (("load", ()),),
    "RatingState": (("load", ()), ("set_stars", (1,)), ("set_text", ("hostile review",))),
    "ProfileViewState": (("open_reply", (1,)), ("set_reply_text", ("hostile reply",))),
    "AdminReportsState": (("open_report", ("REPORT",)), ("set_note", ("hostile note",))),
    "AdminCreditsState": (("find_member", ({"query": "OWNER_HANDLE"},)),),
    "SafetyState": (("start_member_report", ("OWNER_HANDLE",)), ("set_report_reason", ("spam",))),
    "SkillEditorState": (("open_edit", ("OWNER_SKILL",)),),
    "ChatState": (("load", ()),),
}
# The page each state lives on (its load reads the URL).
URLS: dict[str, str] = {
    "SessionDetailState": "/sessions/SESSION",
    "SessionCallState": "/sessions/SESSION",
    "SessionRoomState": "/sessions/SESSION/room",
    "RatingState": "/sessions/SESSION",
    "SessionRequestState": "/sessions/new?skill=OWNER_SKILL",
    "ProfileViewState": "/u/OWNER_HANDLE",
    "ChatState": "/messages/CONVERSATION",
}

ROUTES: dict[str, str] = {
    "/api/health": PUBLIC,
    "/api/media/avatars/{name}": PUBLIC,
    "/api/calendar/session/{session_id:int}.ics": MEMBER,  # the two participants only
    "/api/calendar/feed/{token}.ics": PUBLIC,  # the secret token is the key
    "/api/stripe/webhook": PUBLIC,  # a valid Stripe signature is the key
    "/api/livekit/webhook": PUBLIC,  # a valid LiveKit signature is the key (401 otherwise)
    # The session cookie's only home (HttpOnly): anyone may try; a wrong password, a
    # foreign Origin or a used-up address limit changes nothing but the failure count.
    "/api/auth/login": PUBLIC,
    "/api/auth/signup": PUBLIC,
    "/api/auth/logout": PUBLIC,  # ends only the session whose cookie it is given
    "/api/courses/items/{item_id:int}/file": MEMBER,  # teacher, unlocked learners, admins
    "/api/password-reset/{token}": PUBLIC,  # the emailed single-use token is the key
    "/api/password-reset": PUBLIC,  # the token in its HttpOnly cookie is the key
    "/api/verify-email/{token}": PUBLIC,  # the emailed single-use token is the key
    "/api/unsubscribe": PUBLIC,  # the HMAC-signed (member, scope) link is the key
}
