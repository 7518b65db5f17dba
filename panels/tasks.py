import datetime

from celery import shared_task
from django.utils import timezone

from .scheduling import meetings_schedule_all

# How far back the sweep looks for a panel decision whose letter was never made.
LETTER_SWEEP_DAYS = 14
# How long after its meeting started a stored agenda PDF is kept.
PAPERS_KEPT_DAYS = 7


@shared_task
def schedule_meetings() -> int:
    """Keep every panel's next meetings scheduled (daily; changes to a schedule do it at once too)."""
    return meetings_schedule_all()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_panel_letter(decision_id: int) -> None:
    """Make and send the referrer's letter about a panel decision (safe to run twice)."""
    from .letters import panel_letter_create_and_send

    panel_letter_create_and_send(decision_id=decision_id)


@shared_task
def send_missing_panel_letters() -> int:
    """Make the letters the queued task did not (a worker died, the broker was down): every few
    minutes, over the last two weeks' decisions; safe to run twice (a letter is made once)."""
    from .letters import decisions_without_letters, panel_letter_create_and_send

    made = 0
    since = timezone.now() - datetime.timedelta(days=LETTER_SWEEP_DAYS)
    for decision_id in decisions_without_letters(since=since):
        made += panel_letter_create_and_send(decision_id=decision_id) is not None
    return made


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def make_agenda_papers(meeting_id: int, actor_id: int) -> int:
    """Make a sent agenda's PDFs ahead of their downloads (`panels.pdf.agenda_papers_make`): for the
    coordinator who sent or changed it and for each standing member. Safe to run twice, and in any
    order: a paper is served only to a viewer whose own HTML matches it."""
    from cases.models import User

    from .models import Meeting, MeetingStatus
    from .pdf import agenda_papers_make

    meeting = Meeting.objects.select_related("panel").filter(pk=meeting_id).first()
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.agenda_sent_at is None:
        return 0
    members = meeting.panel.members.filter(ended_at__isnull=True, user__isnull=False, user__is_active=True)
    ids = [actor_id, *members.order_by("id").values_list("user_id", flat=True)]
    users = User.objects.in_bulk(ids)
    return agenda_papers_make(meeting=meeting, viewers=[users[pk] for pk in dict.fromkeys(ids) if pk in users])


@shared_task
def delete_old_agenda_papers() -> int:
    """Stored agenda PDFs hold families' details: keep them only while they serve their meeting
    (until a week after it started; not at all once it is cancelled). A later download makes the
    paper again on demand. Nightly; safe to run twice. Returns how many were deleted."""
    from django.db.models import Q

    from .models import AgendaPaper, MeetingStatus

    cutoff = timezone.now() - datetime.timedelta(days=PAPERS_KEPT_DAYS)
    old = AgendaPaper.objects.filter(Q(meeting__starts_at__lt=cutoff) | Q(meeting__status=MeetingStatus.CANCELLED))
    deleted, _ = old.delete()
    return deleted
