"""The Early Help Assessment's pages: the task list (the latest version, or the way to start it),
each section's page, the identified needs, submitting (check your answers), the team manager's
approval or return, the version history, a locked version read-only, two versions side by side, and
the PDF. Each declares its access (cases/access.py); what a viewer may do on it is
`assessment_permissions`'; every write is a service of `assessment_services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import case_view, roles_required
from cases.audit import RecordType, Subject, access_log_record
from cases.models import AccessLog, IdentifiedNeed
from cases.needs import need_descriptors_active, outcome_areas_active
from cases.permissions import CHANGE_CASE, MANAGE_CASE, VIEW_CASE
from cases.roles import Role

from . import assessment_selectors as selectors
from . import assessment_services as services
from .assessment_forms import TRIANGLE, DecideForm, NeedAddForm, section_form
from .assessment_permissions import (
    assessment_consent_state,
    may_decide_assessment,
    may_see_assessment,
    may_write_assessment,
)
from .models import Assessment, AssessmentStatus, SectionKind, SectionStatus
from .pdf import pdf_filename, pdf_render

STATUS_COLOURS = {
    AssessmentStatus.IN_PROGRESS: "light-blue",
    AssessmentStatus.SUBMITTED: "blue",
    AssessmentStatus.RETURNED: "orange",
    AssessmentStatus.APPROVED: "green",
}


def _task_list_url(case) -> str:
    return reverse("assessments:assessment", args=[case.pk])


def _genogram(case, user):
    """The family's genogram (helper module `assessments.genogram`), or None while it is not there."""
    try:
        from .genogram import genogram_for_case
    except ImportError:  # pragma: no cover - until the genogram is built
        return None
    return genogram_for_case(case, user=user)


def _visible(case) -> None:
    if not may_see_assessment(case):
        raise Http404("No case found")


def _writable_latest(request: HttpRequest, case) -> Assessment:
    """The latest version, if the viewer may write it now; else back to the task list."""
    assessment = selectors.assessment_full(case=case)
    if assessment is None or assessment.status not in services.WRITABLE or not may_write_assessment(case):
        raise _Back(case)
    return assessment


class _Back(Exception):
    def __init__(self, case, message: str = ""):
        self.case, self.message = case, message


def _back_to_task_list(view):
    def wrapped(request, case, *args, **kwargs):
        try:
            return view(request, case, *args, **kwargs)
        except _Back as back:
            if back.message:
                messages.error(request, back.message)
            return redirect(_task_list_url(back.case))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _answers_view(assessment: Assessment) -> list[dict]:
    """Each section with its answers as question and answer rows (for check your answers, the
    read-only version, the comparison and the PDF)."""
    needs = selectors.assessment_needs(assessment)
    rows = []
    for row in selectors.section_rows(assessment):
        form = section_form(row.section)
        answers = row.section.answers or {}
        items = []
        if row.section.kind == SectionKind.CHILD_DOMAINS:
            for _code, title, dimensions in TRIANGLE:
                items.append({"heading": title})
                for code, dimension in dimensions:
                    worry = answers.get(f"{code}_worry")
                    items.append(
                        {
                            "question": dimension,
                            "answer": "\n".join(
                                part
                                for part in (
                                    f"Strengths: {answers.get(f'{code}_strengths') or 'None recorded'}",
                                    f"Needs: {answers.get(f'{code}_needs') or 'None recorded'}",
                                    f"Worry rating: {worry if worry not in (None, '') else 'Not rated'} out of 10",
                                )
                            ),
                            "key": code,
                        }
                    )
        elif row.section.kind == SectionKind.NEEDS:
            for link in needs:
                need = link.need
                who = need.person.full_name if need.person_id else "The whole family"
                tag = f"{need.area.name}, {need.descriptor.text}" if need.descriptor_id else need.area.name
                items.append({"question": f"{who}: {tag}", "answer": need.description, "key": str(need.pk)})
            if not needs:
                items.append({"question": "Needs", "answer": "None added", "key": "none"})
        else:
            for name, field in form.fields.items():
                if name == "completed":
                    continue
                value = answers.get(name)
                choices = dict((str(k), str(v)) for k, v in getattr(field, "choices", []) or [])
                shown = choices.get(str(value), value) if choices else value
                items.append({"question": field.label, "answer": shown if shown not in (None, "") else "", "key": name})
        rows.append({"section": row.section, "title": row.title, "items": items})
    return rows


# --- The task list ----------------------------------------------------------------------------------


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET"])
def assessment_page(request: HttpRequest, case) -> HttpResponse:
    """The latest version's task list, or the way to start the assessment (and why it cannot be
    started yet). Constant queries however many sections and needs."""
    _visible(case)
    assessment = selectors.assessment_full(case=case)
    can_write = may_write_assessment(case)
    consent = assessment_consent_state(case) if can_write else None
    rows = selectors.section_rows(assessment) if assessment else []
    completed = sum(1 for row in rows if row.section.status == SectionStatus.COMPLETED)
    writable = bool(assessment and assessment.status in services.WRITABLE and can_write)
    return render(
        request,
        "assessments/assessment/task_list.html",
        {
            "case": case,
            "title": "Early help assessment",
            "assessment": assessment,
            "rows": rows,
            "completed": completed,
            "status_colour": STATUS_COLOURS.get(assessment.status) if assessment else "",
            "can_start": can_write and assessment is None and bool(consent),
            "consent": consent,
            "can_record_consent": CHANGE_CASE in case.perms,
            "writable": writable and bool(consent),
            "can_submit": writable and bool(consent) and rows and completed == len(rows),
            "can_decide": bool(assessment) and may_decide_assessment(request.user, case, assessment),
            "can_change": (
                bool(assessment) and assessment.status == AssessmentStatus.APPROVED and can_write and bool(consent)
            ),
            "genogram": _genogram(case, request.user),
        },
    )


@case_view(MANAGE_CASE, details=True)
@require_POST
def assessment_start(request: HttpRequest, case) -> HttpResponse:
    try:
        services.assessment_start(actor=request.user, case=case)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    else:
        messages.success(request, "Assessment started")
    return redirect(_task_list_url(case))


@case_view(MANAGE_CASE, details=True)
@require_POST
def assessment_new_version(request: HttpRequest, case) -> HttpResponse:
    latest = selectors.assessment_full(case=case)
    if latest is None:
        return redirect(_task_list_url(case))
    try:
        new = services.assessment_new_version(actor=request.user, assessment=latest)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    else:
        messages.success(request, f"Version {new.version} started from the approved version")
    return redirect(_task_list_url(case))


# --- A section ----------------------------------------------------------------------------------------


def _section_context(request, case, assessment, section, form, need_form=None) -> dict:
    form.helper.form_action = reverse("assessments:assessment-section", args=[case.pk, section.pk])
    context = {
        "case": case,
        "assessment": assessment,
        "section": section,
        "form": form,
        "title": services.section_title(section),
    }
    if section.kind == SectionKind.FAMILY:
        context["people"] = selectors.family_people(case=case)
    if section.kind == SectionKind.NEEDS:
        context["needs"] = selectors.assessment_needs(assessment)
        context["need_form"] = need_form or NeedAddForm(
            people=selectors.family_people(case=case),
            areas=outcome_areas_active(),
            descriptors=need_descriptors_active(),
        )
        context["need_form"].helper.form_action = reverse("assessments:assessment-need-add", args=[case.pk])
    return context


@case_view(MANAGE_CASE, details=True)
@require_http_methods(["GET", "POST"])
@_back_to_task_list
def assessment_section(request: HttpRequest, case, section_id: int) -> HttpResponse:
    """One section's questions; saved, it goes back to the task list. What was typed stays when
    something is wrong."""
    assessment = _writable_latest(request, case)
    section = selectors.section_of(assessment=assessment, section_id=section_id)
    if section is None:
        raise Http404("No such section")
    if not (consent := assessment_consent_state(case)):
        raise _Back(case, consent.reason)
    form = section_form(section, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_section_save(
                actor=request.user, section=section, answers=form.answers(), completed=form.completed
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{services.section_title(section)}: saved")
            return redirect(_task_list_url(case))
    return render(
        request, "assessments/assessment/section.html", _section_context(request, case, assessment, section, form)
    )


@case_view(MANAGE_CASE, details=True)
@require_POST
@_back_to_task_list
def assessment_need_add(request: HttpRequest, case) -> HttpResponse:
    assessment = _writable_latest(request, case)
    section = assessment.sections.get(kind=SectionKind.NEEDS)
    need_form = NeedAddForm(
        request.POST,
        people=selectors.family_people(case=case),
        areas=outcome_areas_active(),
        descriptors=need_descriptors_active(),
    )
    if need_form.is_valid():
        try:
            services.assessment_need_add(
                actor=request.user,
                assessment=assessment,
                area=need_form.cleaned_data["area"],
                description=need_form.cleaned_data["description"],
                person=need_form.cleaned_data["person"],
                descriptor=need_form.cleaned_data["descriptor"],
            )
        except ValidationError as error:
            need_form.add_service_errors(error)
        except PermissionDenied as error:
            need_form.add_error(None, str(error))
        else:
            messages.success(request, "Need added")
            return redirect("assessments:assessment-section", case_id=case.pk, section_id=section.pk)
    context = _section_context(request, case, assessment, section, section_form(section), need_form=need_form)
    context["error_form"] = need_form
    return render(request, "assessments/assessment/section.html", context)


@case_view(MANAGE_CASE, details=True)
@require_POST
@_back_to_task_list
def assessment_need_remove(request: HttpRequest, case, need_id: int) -> HttpResponse:
    assessment = _writable_latest(request, case)
    section = assessment.sections.get(kind=SectionKind.NEEDS)
    need = IdentifiedNeed.objects.filter(case=case, pk=need_id).first()
    if need is None:
        raise Http404("No such need")
    try:
        services.assessment_need_remove(actor=request.user, assessment=assessment, need=need)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    else:
        messages.success(request, "Need taken out of the assessment")
    return redirect("assessments:assessment-section", case_id=case.pk, section_id=section.pk)


# --- Submitting -----------------------------------------------------------------------------------------


@case_view(MANAGE_CASE, details=True)
@require_http_methods(["GET", "POST"])
@_back_to_task_list
def assessment_submit(request: HttpRequest, case) -> HttpResponse:
    """Check your answers, then submit to the team manager."""
    assessment = _writable_latest(request, case)
    errors = []
    if request.method == "POST":
        try:
            services.assessment_submit(actor=request.user, assessment=assessment)
        except ValidationError as error:
            errors = error.messages
        except PermissionDenied as error:
            errors = [str(error)]
        else:
            messages.success(request, "Assessment submitted to the team manager for approval")
            return redirect(_task_list_url(case))
    return render(
        request,
        "assessments/assessment/submit.html",
        {
            "case": case,
            "assessment": assessment,
            "title": "Check your answers before you submit the assessment",
            "sections": _answers_view(assessment),
            "errors": errors,
        },
    )


# --- The team manager's decision ------------------------------------------------------------------


@roles_required(Role.TEAM_MANAGER)
@case_view(MANAGE_CASE, details=True)
@require_http_methods(["GET", "POST"])
@_back_to_task_list
def assessment_decide(request: HttpRequest, case) -> HttpResponse:
    """Approve the submitted assessment or return it with comments (a team manager of the case who
    did not submit it)."""
    assessment = selectors.assessment_full(case=case)
    if assessment is None or assessment.status != AssessmentStatus.SUBMITTED:
        raise _Back(case, "There is no submitted assessment to approve")
    if not may_decide_assessment(request.user, case, assessment):
        raise _Back(case, services.OWN_SUBMISSION)
    form = DecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            if approve:
                services.assessment_approve(actor=request.user, assessment=assessment, note=form.cleaned_data["note"])
            else:
                services.assessment_return(actor=request.user, assessment=assessment, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Assessment approved" if approve else "Assessment returned for changes")
            return redirect(_task_list_url(case))
    return render(
        request,
        "assessments/assessment/decide.html",
        {
            "case": case,
            "assessment": assessment,
            "form": form,
            "title": "Approve or return the assessment",
            "sections": _answers_view(assessment),
        },
    )


# --- Versions -------------------------------------------------------------------------------------------


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET"])
def assessment_versions(request: HttpRequest, case) -> HttpResponse:
    _visible(case)
    versions = selectors.case_assessments(case=case)
    return render(
        request,
        "assessments/assessment/versions.html",
        {"case": case, "title": "Versions of the assessment", "versions": versions, "colours": STATUS_COLOURS},
    )


def _version_or_404(case, version: int) -> Assessment:
    assessment = selectors.assessment_full(case=case, version=version)
    if assessment is None:
        raise Http404("No such version")
    return assessment


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET"])
def assessment_version(request: HttpRequest, case, version: int) -> HttpResponse:
    """One version, read-only."""
    _visible(case)
    assessment = _version_or_404(case, version)
    return render(
        request,
        "assessments/assessment/version.html",
        {
            "case": case,
            "assessment": assessment,
            "title": f"Early help assessment, version {assessment.version}",
            "sections": _answers_view(assessment),
            "status_colour": STATUS_COLOURS.get(assessment.status),
        },
    )


def _version_number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 6 else None


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET"])
def assessment_compare(request: HttpRequest, case) -> HttpResponse:
    """Two versions side by side, question by question, the changed answers marked."""
    _visible(case)
    versions = selectors.case_assessments(case=case)
    numbers = [v.version for v in versions]
    older = _version_number(request.GET.get("from"))
    newer = _version_number(request.GET.get("to"))
    if len(numbers) >= 2:
        newer = newer if newer in numbers else numbers[0]
        older = older if older in numbers else next((n for n in numbers if n != newer), None)
    rows = []
    if older is not None and newer is not None and older != newer:
        left = _answers_view(_version_or_404(case, older))
        right = _answers_view(_version_or_404(case, newer))
        right_by_title = {section["title"]: section for section in right}
        seen = set()
        for section in left:
            other = right_by_title.get(section["title"], {"items": []})
            seen.add(section["title"])
            rows.append(_compare_section(section["title"], section["items"], other["items"]))
        for section in right:
            if section["title"] not in seen:
                rows.append(_compare_section(section["title"], [], section["items"]))
    return render(
        request,
        "assessments/assessment/compare.html",
        {
            "case": case,
            "title": "Compare versions of the assessment",
            "numbers": numbers,
            "older": older,
            "newer": newer,
            "sections": rows,
        },
    )


def _compare_section(title: str, left: list[dict], right: list[dict]) -> dict:
    right_by_key = {item.get("key") or item.get("heading"): item for item in right}
    left_keys = {item.get("key") or item.get("heading") for item in left}
    items = []
    for item in left:
        key = item.get("key") or item.get("heading")
        other = right_by_key.get(key, {})
        if "heading" in item:
            items.append({"heading": item["heading"]})
            continue
        before, after = item.get("answer", ""), other.get("answer", "")
        items.append({"question": item["question"], "before": before, "after": after, "changed": before != after})
    for item in right:
        key = item.get("key") or item.get("heading")
        if key not in left_keys and "heading" not in item:
            items.append({"question": item["question"], "before": "", "after": item.get("answer", ""), "changed": True})
    return {"title": title, "items": items, "changed": any(i.get("changed") for i in items)}


# --- The PDF --------------------------------------------------------------------------------------------


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET"])
def assessment_pdf(request: HttpRequest, case, version: int) -> HttpResponse:
    """One version as a tagged PDF, OFFICIAL-SENSITIVE on every page, with the genogram; written to
    the access log as a print."""
    _visible(case)
    assessment = _version_or_404(case, version)
    genogram = _genogram(case, request.user)
    pdf = pdf_render(
        "assessments/pdf/assessment.html",
        {
            "case": case,
            "assessment": assessment,
            "title": f"Early help assessment for case {case.reference}, version {assessment.version}",
            "sections": _answers_view(assessment),
            "genogram": genogram,
        },
    )
    access_log_record(
        user=request.user,
        action=AccessLog.Action.PRINT,
        record_type=RecordType.CASE,
        record_id=case.pk,
        subject=Subject(case_id=case.pk),
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(case, f"assessment-v{assessment.version}")}"'
    return response


urlpatterns = [
    # Two segments: one after the case id is a case action (cases.urls).
    path("<int:case_id>/assessment/", assessment_page, name="assessment"),
    path("<int:case_id>/assessment/start/", assessment_start, name="assessment-start"),
    path("<int:case_id>/assessment/sections/<int:section_id>/", assessment_section, name="assessment-section"),
    path("<int:case_id>/assessment/needs/add/", assessment_need_add, name="assessment-need-add"),
    path("<int:case_id>/assessment/needs/<int:need_id>/remove/", assessment_need_remove, name="assessment-need-remove"),
    path("<int:case_id>/assessment/submit/", assessment_submit, name="assessment-submit"),
    path("<int:case_id>/assessment/decide/", assessment_decide, name="assessment-decide"),
    path("<int:case_id>/assessment/new-version/", assessment_new_version, name="assessment-new-version"),
    path("<int:case_id>/assessment/versions/", assessment_versions, name="assessment-versions"),
    path("<int:case_id>/assessment/versions/<int:version>/", assessment_version, name="assessment-version"),
    path("<int:case_id>/assessment/versions/<int:version>/pdf/", assessment_pdf, name="assessment-pdf"),
    path("<int:case_id>/assessment/compare/", assessment_compare, name="assessment-compare"),
]
