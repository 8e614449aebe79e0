"""A ``.qdpx`` import's two background jobs: checking the file into a preview (the
import done and rolled back), then, once the owner confirms, the import itself. Each
reads the file kept with the record again: any worker may run either."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

from apps.accounts.models import User
from apps.analysis.models import FileImportState, ProjectFileImport
from apps.analysis.qdpx_archive import UnreadableProject
from apps.analysis.qdpx_import import Choices, Outcome, dry_run, import_project
from apps.analysis.qdpx_reading import read_project
from apps.projects.models import Project

logger = logging.getLogger(__name__)


def start_check(
    *, project: Project, user: User, name: str, data: bytes, annotator: User | None = None,
    outlet: str = "",
) -> ProjectFileImport:  # fmt: skip
    """Keep an uploaded file with its choices and queue its preview."""
    record = ProjectFileImport.objects.create(
        project=project, created_by=user, name=name[:255], data=data, annotator=annotator,
        outlet=outlet or ProjectFileImport._meta.get_field("outlet").get_default(),
    )  # fmt: skip
    check_file.enqueue(record.pk)
    return record


def check_again(record: ProjectFileImport, *, annotator: User | None, outlet: str) -> None:
    """The preview made again with other choices."""
    record.annotator, record.outlet = annotator, outlet
    record.state, record.preview = FileImportState.CHECKING, {}
    record.save(update_fields=["annotator", "outlet", "state", "preview", "updated_at"])
    check_file.enqueue(record.pk)


def start_import(record: ProjectFileImport) -> bool:
    """Queue the import of a previewed file; False if it is not (or no longer) ready."""
    started = ProjectFileImport.objects.filter(pk=record.pk, state=FileImportState.READY).update(
        state=FileImportState.IMPORTING
    )  # one of two clicks starts it
    if started:
        import_file.enqueue(record.pk)
    return bool(started)


@task()
def check_file(record_id: int) -> None:
    record = ProjectFileImport.objects.select_related("project", "created_by").get(pk=record_id)
    outcome = _run(record, dry_run)
    if outcome is not None:
        record.preview, record.state = outcome.as_json(), FileImportState.READY
        record.save(update_fields=["preview", "state", "updated_at"])


@task()
def import_file(record_id: int) -> None:
    record = ProjectFileImport.objects.select_related("project", "created_by").get(pk=record_id)
    outcome = _run(record, import_project)
    if outcome is not None:
        # Imported: the report says what it held, the articles hold its texts.
        record.report, record.state, record.data = outcome.as_json(), FileImportState.DONE, b""
        record.save(update_fields=["report", "state", "data", "updated_at"])


def _run(record: ProjectFileImport, step) -> Outcome | None:
    """``step`` (the preview or the import) on the record's file; on failure the record
    says why, and (the import being one transaction) nothing of it is kept."""
    choices = Choices(annotator=record.annotator, outlet=record.outlet)
    try:
        if record.created_by is None:
            raise UnreadableProject("The member who uploaded the file is gone: upload it again.")
        data = read_project(bytes(record.data))
        return step(record.project, data, choices, by=record.created_by)
    except (UnreadableProject, ValidationError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    except Exception:
        logger.exception("Import of project file %s failed", record.pk)
        message = "The file could not be imported (an error in this app, now logged)."
    record.state, record.error, record.data = FileImportState.FAILED, message, b""
    record.save(update_fields=["state", "error", "data", "updated_at"])
    return None
