"""The review pages: a case's reviews and the clocks running, recording the next review, a review's
page and its PDF. Access is `taf_permissions`' (record kind "review"); the write is
`reviews.review_record`. After the decision the page goes where the decision leads: the plan (to
amend it), the case (back at the panel), the step up page, or the closure request."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases.access import case_view, object_view
from cases.audit import RecordType, Subject, access_log_record
from cases.models import AccessLog
from cases.paging import page_of

from . import plan_selectors, reviews, selectors, taf_selectors
from .charts import series_chart, series_table
from .models import Plan, ReviewDecision
from .pdf import pdf_filename, pdf_render
from .review_forms import ReviewForm, action_owner
from .taf_permissions import MANAGE_TAF, VIEW_TAF, may_manage

PAGE_SIZE = 20


def _list_url(case) -> str:
    return reverse("assessments:review-list", args=[case.pk])


def _url_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@case_view(VIEW_TAF, details=True)
@require_http_methods(["GET"])
def review_list(request: HttpRequest, case) -> HttpResponse:
    page, querystring = page_of(request, taf_selectors.case_reviews(case=case), PAGE_SIZE)
    return render(
        request,
        "assessments/review/list.html",
        {
            "case": case,
            "page_obj": page,
            "querystring": querystring,
            "clocks": [
                {"name": clock.timescale.name, "due_at": clock.due_at, "overdue": clock.due_at < timezone.now()}
                for clock in taf_selectors.running_review_clocks(case=case)
            ],
            "can_record": may_manage(case),
            "title": "Reviews of the plan",
        },
    )


def _where_next(request: HttpRequest, case, review) -> HttpResponse:
    if review.decision == ReviewDecision.CONTINUE:
        messages.success(request, f"Review {review.number} saved: amend the plan with the family")
        return redirect("assessments:plan", case_id=case.pk)
    if review.decision == ReviewDecision.STEP_UP:
        step_up = _url_or_none("assessments:step-up", case.pk)
        if step_up:
            messages.success(request, f"Review {review.number} saved: now step the family up")
            return redirect(step_up)
        messages.success(request, f"Review {review.number} saved with the decision to step up")
        return redirect("assessments:review-detail", case_id=case.pk, review_id=review.pk)
    if review.decision == ReviewDecision.REQUEST_CLOSURE:
        messages.success(request, f"Review {review.number} saved: now request the closure")
        return redirect("cases:case-action", case_id=case.pk, action="request_closure")
    messages.success(request, f"Review {review.number} saved: the case has gone back to the panel")
    return redirect("cases:case-detail", case_id=case.pk)


@case_view(MANAGE_TAF, details=True)
@require_http_methods(["GET", "POST"])
def review_record(request: HttpRequest, case) -> HttpResponse:
    if not may_manage(case):
        messages.error(request, "You can record a review only while the case is active")
        return redirect(_list_url(case))
    plan = Plan.objects.filter(case=case).first()
    if plan is None or plan.agreed_on is None:
        messages.error(request, reviews.NO_PLAN)
        return redirect(_list_url(case))
    actions = list(
        plan_selectors.actions_with_latest(reviews.open_actions(plan=plan).select_related("owner_user", "owner_person"))
    )
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        case=case,
        actions=actions,
        readings=reviews.usable_readings(case=case),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = reviews.review_record(
                actor=request.user,
                case=case,
                held_on=data["held_on"],
                progress=form.progress(),
                reading=data.get("reading"),
                family_view=data["family_view"],
                summary=data["summary"],
                decision=data["decision"],
                decision_note=data["decision_note"],
                panel_route=data["panel_route"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            form.add_error(None, error.args[0] if error.args else "You cannot do that")
        else:
            return _where_next(request, case, review)
    return render(
        request,
        "assessments/review/form.html",
        {"case": case, "form": form, "title": "Record a review", "number": reviews.next_number(case=case)},
    )


def _review_context(review) -> dict:
    case = review.case
    series = [one for one in selectors.case_series(case=case) if review.reading and review.reading in one.readings]
    return {
        "case": case,
        "review": review,
        "progress": [
            {"row": row, "owner": action_owner(row.action)} for row in taf_selectors.review_progress(review=review)
        ],
        "charts": [{"title": one.title, "chart": series_chart(one), "table": series_table(one)} for one in series],
        "title": f"Review {review.number} of the plan",
    }


@object_view("review", VIEW_TAF)
@require_http_methods(["GET"])
def review_detail(request: HttpRequest, review) -> HttpResponse:
    return render(request, "assessments/review/detail.html", _review_context(review))


@object_view("review", VIEW_TAF)
@require_http_methods(["GET"])
def review_pdf(request: HttpRequest, review) -> HttpResponse:
    """The review as a tagged PDF, OFFICIAL-SENSITIVE; the print is written to the access log."""
    context = _review_context(review)
    pdf = pdf_render("assessments/pdf/review.html", context)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.PRINT,
        record_type=RecordType.CASE,
        record_id=review.case.pk,
        subject=Subject(case_id=review.case.pk),
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(review.case, f"review-{review.number}")}"'
    return response


urlpatterns = [
    path("<int:case_id>/reviews/", review_list, name="review-list"),
    path("<int:case_id>/reviews/record/", review_record, name="review-record"),
    path("<int:case_id>/reviews/<int:review_id>/", review_detail, name="review-detail"),
    path("<int:case_id>/reviews/<int:review_id>/pdf/", review_pdf, name="review-pdf"),
]
