"""The signed consent form: its type read from its first bytes (not its name), at most 10 MB, kept
through Django's storage API under a random name, and downloaded only through an access-checked view
that writes the access log; never a public media address."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.models import AccessLog, Consent, Person
from tests.conftest import VIEWERS, open_case

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(world):
    # The school in the team, with the family's consent to share; health in it without.
    case = open_case(
        world, members=[(world.school_practitioner, "School"), (world.health_practitioner, "Health visitor")]
    )
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    services.consent_record(
        actor=world.lead,
        family=case.family,
        person=parent,
        scope=Consent.Scope.SHARING,
        agency=world.school,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.VERBAL,
        method=Consent.Method.PHONE,
        witness="Duty worker",
        decided_on=timezone.localdate(),
        case=case,
    )
    return case


def _post(client, case, upload, **changes):
    today = timezone.localdate()
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    data = {
        "person": str(parent.pk),
        "scope": "assessment",
        "status": "given",
        "evidence": "written",
        "decided_on_0": str(today.day),
        "decided_on_1": str(today.month),
        "decided_on_2": str(today.year),
        **changes,
    }
    if upload is not None:
        data["evidence_file"] = upload
    return client.post(f"/cases/{case.pk}/consent/add/", data)


@pytest.mark.parametrize(
    "upload, message",
    [
        pytest.param(
            SimpleUploadedFile("form.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf"),
            "The selected file must be a PDF, JPG or PNG",
            id="named .pdf but not a PDF",
        ),
        pytest.param(
            SimpleUploadedFile("form.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/png"),
            "The selected file must be a PDF, JPG or PNG",
            id="an SVG named .png",
        ),
        pytest.param(
            SimpleUploadedFile("form.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"),
            "The selected file must be smaller than 10MB",
            id="too big",
        ),
        pytest.param(None, "Select the signed consent form", id="no file"),
    ],
)
def test_bad_uploads_are_refused(world, client_for, case, upload, message):
    response = _post(client_for(world.lead), case, upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Consent.objects.filter(case=case, scope=Consent.Scope.ASSESSMENT).exists()


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("Signed form Taylor.PDF", PDF, "application/pdf"),
        ("scan.png", PNG, "image/png"),
        ("photo", JPEG, "image/jpeg"),
        # The name says PNG; the content is a PDF: it is kept and served as the PDF it is.
        ("misnamed.png", PDF, "application/pdf"),
    ],
)
def test_good_uploads_are_stored_and_downloadable(world, client_for, case, name, content, kind):
    client = client_for(world.lead)
    response = _post(client, case, SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    assert response.status_code == 302
    consent = Consent.objects.get(case=case, scope=Consent.Scope.ASSESSMENT)
    assert consent.evidence == Consent.Evidence.WRITTEN
    stored = consent.evidence_file.name
    assert stored.startswith("consent/") and "Taylor" not in stored and "scan" not in stored
    assert stored.rsplit(".", 1)[1] == {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[kind]
    assert default_storage.exists(stored)

    download = client.get(f"/cases/{case.pk}/consent/{consent.pk}/evidence/")
    assert download.status_code == 200
    assert download["Content-Type"] == kind
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == content


# Who may download the signed form: those who see the family's details.
DOWNLOADS = {
    "lead": 200,
    "team_manager": 200,
    "manager_coordinator": 200,
    "duty_manager": 200,
    "duty_lead": 200,
    "panel_coordinator": 200,
    "county_coordinator": 200,
    "school_practitioner": 200,  # in the team, with the family's consent to share
    "health_practitioner": 404,  # in the team, without it
    "other_lead": 404,
    "other_manager": 404,
    "analyst": 404,
    "administrator": 404,
    "superuser": 404,
}


def test_download_matrix_covers_every_viewer():
    assert set(DOWNLOADS) == set(VIEWERS)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_download_only_by_those_who_see_the_family_and_logged(world, client_for, case, viewer):
    assert _post(client_for(world.lead), case, SimpleUploadedFile("f.pdf", PDF)).status_code == 302
    consent = Consent.objects.get(case=case, scope=Consent.Scope.ASSESSMENT)
    user = getattr(world, viewer)
    before = AccessLog.objects.filter(record_type="consent_evidence", user=user).count()

    response = client_for(user).get(f"/cases/{case.pk}/consent/{consent.pk}/evidence/")

    assert response.status_code == DOWNLOADS[viewer]
    logged = AccessLog.objects.filter(record_type="consent_evidence", user=user, record_id=consent.pk)
    if response.status_code == 200:
        assert logged.count() == before + 1
        row = logged.get()
        assert (row.action, row.case_id, row.person_id) == ("export", case.pk, consent.person_id)
    else:
        assert logged.count() == 0


def test_no_download_of_another_familys_form_through_this_case(world, client_for, case):
    other = open_case(world)
    client = client_for(world.lead)
    assert _post(client, other, SimpleUploadedFile("f.pdf", PDF)).status_code == 302
    consent = Consent.objects.get(case=other, scope=Consent.Scope.ASSESSMENT)
    assert client.get(f"/cases/{case.pk}/consent/{consent.pk}/evidence/").status_code == 404
    # A decision with no file has nothing to download.
    in_app = Consent.objects.get(case=case, scope=Consent.Scope.SHARING)
    assert client.get(f"/cases/{case.pk}/consent/{in_app.pk}/evidence/").status_code == 404


def test_the_case_page_links_to_the_download_not_to_media(world, client_for, case):
    client = client_for(world.lead)
    assert _post(client, case, SimpleUploadedFile("f.pdf", PDF)).status_code == 302
    consent = Consent.objects.get(case=case, scope=Consent.Scope.ASSESSMENT)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/consent/{consent.pk}/evidence/" in page
    assert consent.evidence_file.name not in page
    assert "/media/" not in page


def test_the_service_checks_the_file_too(world, case):
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    with pytest.raises(Exception) as refused:
        services.consent_record(
            actor=world.lead,
            family=case.family,
            person=parent,
            scope=Consent.Scope.ASSESSMENT,
            status=Consent.Status.GIVEN,
            decided_on=timezone.localdate(),
            evidence_file=SimpleUploadedFile("f.pdf", b"GIF89a not allowed"),
            case=case,
        )
    assert refused.value.message_dict["evidence_file"] == ["The selected file must be a PDF, JPG or PNG"]
