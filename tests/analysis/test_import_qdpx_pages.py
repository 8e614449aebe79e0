"""The pages of a .qdpx import and its jobs: refused files, discarding, the progress box,
access, and every state change conditional on the state it comes from."""

from django.urls import reverse

from apps.analysis.models import ProjectFileImport
from apps.projects.models import Membership
from tests import factories
from tests.analysis.qdpx_files import (
    NS,
    TEXT,
    project_qde,
    qdpx,
    upload,
)


def test_a_file_that_is_not_a_project_is_refused_on_the_form(client, cast):
    client.force_login(cast.owner)
    response = upload(client, cast.project, b"hello", name="notes.txt")
    assert response.status_code == 422
    assert "a .qdpx is a zip file, and this is not one" in response.content.decode()
    assert not ProjectFileImport.objects.exists()


def test_a_file_refused_while_checked_says_why_on_its_page(client, cast):
    client.force_login(cast.owner)
    bad = qdpx(f'<Project xmlns="{NS}" name="x"><Sources>')
    response = upload(client, cast.project, bad)
    page = client.get(response.url).content.decode()
    assert "Not imported" in page and "not readable XML" in page
    assert ProjectFileImport.objects.get().data == b""


def test_discarding_a_previewed_file(client, cast):
    client.force_login(cast.owner)
    response = upload(client, cast.project, qdpx(project_qde(), {"a.txt": TEXT.encode()}))
    client.post(response.url, {"action": "discard"})
    assert not ProjectFileImport.objects.exists() and not cast.project.articles.exists()


def test_the_progress_box_polls_while_the_job_works(client, cast):
    client.force_login(cast.owner)
    response = upload(client, cast.project, qdpx(project_qde(), {"a.txt": TEXT.encode()}))
    record = ProjectFileImport.objects.get()
    ProjectFileImport.objects.filter(pk=record.pk).update(state="checking")
    partial = client.get(response.url, headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in partial.content and b"<html" not in partial.content
    ProjectFileImport.objects.filter(pk=record.pk).update(state="ready")
    done = client.get(response.url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_only_owners_import_project_files(client, cast):
    data = qdpx(project_qde(), {"a.txt": TEXT.encode()})
    client.force_login(cast.owner)
    record_url = upload(client, cast.project, data).url
    url = reverse("analysis:qdpx-upload", args=[cast.project.slug])
    assert client.get(url).status_code == 200
    for role in ("analyst", "viewer"):
        client.force_login(getattr(cast, role))
        assert client.get(url).status_code == 403
        assert client.get(record_url).status_code == 403
        assert upload(client, cast.project, data).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404 and client.get(record_url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302 and client.get(record_url).status_code == 302
    client.force_login(cast.owner)
    assert client.put(url).status_code == 405
    assert ProjectFileImport.objects.count() == 1


def test_an_imported_file_cannot_be_discarded_nor_checked_again(client, cast):
    client.force_login(cast.owner)
    url = upload(client, cast.project, qdpx(project_qde(), {"a.txt": TEXT.encode()})).url
    client.post(url, {"action": "import", "annotator": "", "outlet": "Unknown outlet"})
    record = ProjectFileImport.objects.get()
    assert record.state == "done"
    client.post(url, {"action": "discard"})
    client.post(url, {"action": "import", "annotator": cast.analyst.pk, "outlet": "Other"})
    record.refresh_from_db()
    assert record.state == "done" and record.report and record.annotator is None


def test_a_check_outrun_by_an_import_changes_nothing(cast):
    from apps.analysis.qdpx_jobs import check_again, start_check

    record = start_check(project=cast.project, user=cast.owner, name="a.qdpx",
                         data=qdpx(project_qde(), {"a.txt": TEXT.encode()}))  # fmt: skip
    record.refresh_from_db()
    ProjectFileImport.objects.filter(pk=record.pk).update(state="importing")
    assert not check_again(record, annotator=cast.analyst, outlet="Other")
    record.refresh_from_db()
    assert record.state == "importing" and record.annotator is None


def test_the_uploader_must_still_be_an_owner_when_the_job_runs(client, cast):
    client.force_login(cast.owner)
    url = upload(client, cast.project, qdpx(project_qde(), {"a.txt": TEXT.encode()})).url
    other = factories.make_user("ottilie")
    Membership.objects.create(project=cast.project, user=other, role="owner")
    Membership.objects.filter(project=cast.project, user=cast.owner).update(role="viewer")
    client.force_login(other)
    client.post(url, {"action": "import", "annotator": "", "outlet": "Unknown outlet"})
    record = ProjectFileImport.objects.get()
    assert record.state == "failed" and "no longer an owner" in record.error
    assert not cast.project.articles.exists()


def test_a_file_whose_job_lost_its_worker_can_be_discarded(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(cast.owner)
    url = upload(client, cast.project, qdpx(project_qde(), {"a.txt": TEXT.encode()})).url
    working = ProjectFileImport.objects.filter(state="ready")
    working.update(state="importing", updated_at=timezone.now())
    client.post(url, {"action": "discard"})  # still alive: kept
    assert ProjectFileImport.objects.exists()
    assert "No sign of life" not in client.get(url).content.decode()
    ProjectFileImport.objects.update(updated_at=timezone.now() - timedelta(hours=2))
    assert "No sign of life" in client.get(url).content.decode()
    client.post(url, {"action": "discard"})
    assert not ProjectFileImport.objects.exists()


def test_a_file_without_coded_passages_lists_no_coders(client, cast):
    client.force_login(cast.owner)
    url = upload(client, cast.project, qdpx(project_qde(), {"a.txt": TEXT.encode()})).url
    page = client.get(url).content.decode()
    assert "Nothing is saved yet" in page and "<h2>Coders</h2>" not in page
