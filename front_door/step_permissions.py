"""Who may read a step down from children's social care: whoever may read its referral (the front
door sees every referral; anyone else only those they recorded: `referral_get_for_user`), and only
a referral on the step down channel is one (404 for any other). The page and the API declare it as
their record ("step_down")."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from cases.access import register_record_kind
from cases.models import User

from .models import Channel, Referral
from .permissions import VIEW_REFERRAL, referral_get_for_user


def step_down_get_for_user(
    *,
    user: User,
    referral_id: int,
    perm: str = VIEW_REFERRAL,
    request: HttpRequest | None = None,
    log: bool = True,
) -> Referral:
    if not Referral.objects.filter(pk=referral_id, channel=Channel.STEP_DOWN).exists():
        raise Http404("No step down found")
    return referral_get_for_user(user=user, referral_id=referral_id, perm=perm, request=request, log=log)


register_record_kind("step_down", step_down_get_for_user, "referral_id")
