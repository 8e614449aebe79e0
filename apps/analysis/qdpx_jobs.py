"""A ``.qdpx`` import's two background jobs: checking the file into a preview (the
import done and rolled back), then, once the owner confirms, the import itself. Each
reads the file kept with the record again: any worker may run either."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from apps.accounts.models import User
from apps.analysis.models import FileImportState, ProjectFileImport
from apps.analysis.qdpx_archive import UnreadableProject
from apps.analysis.qdpx_import import Choices, dry_run, import_project
from apps.analysis.qdpx_reading import read_project
from apps.projects.models import Project, Role

logger = logging.getLogger(__name__)

# A job that shows no sign of life for this long lost its worker: its file may be discarded.
STALE_AFTER = datetime.timedelta(hours=1)


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


def check_again(record: ProjectFileImport, *, annotator: User | None, outlet: str) -> bool:
    """The preview made again with other choices; False if the file is not (or no
    longer) waiting for its import: a stale page must not undo an import started."""
    changed = ProjectFileImport.objects.filter(pk=record.pk, state=FileImportState.READY).update(
        annotator=annotator,
        outlet=outlet,
        state=FileImportState.CHECKING,
        preview={},
        updated_at=timezone.now(),
    )
    if changed:
        check_file.enqueue(record.pk)
    return bool(changed)


def start_import(record: ProjectFileImport) -> bool:
    """Queue the import of a previewed file; False if it is not (or no longer) ready."""
    started = ProjectFileImport.objects.filter(pk=record.pk, state=FileImportState.READY).update(
        state=FileImportState.IMPORTING, updated_at=timezone.now()
    )  # one of two clicks starts it
    if started:
        import_file.enqueue(record.pk)
    return bool(started)


def discard(record: ProjectFileImport) -> bool:
    """Forget a file that is previewed or refused, or whose job lost its worker (no
    sign of life for ``STALE_AFTER``: a killed import's transaction kept nothing);
    False for one being checked or imported, or imported already (its report stays)."""
    waiting = Q(state__in=(FileImportState.READY, FileImportState.FAILED))
    lost = Q(
        state__in=(FileImportState.CHECKING, FileImportState.IMPORTING),
        updated_at__lt=timezone.now() - STALE_AFTER,
    )
    deleted, _ = ProjectFileImport.objects.filter(waiting | lost, pk=record.pk).delete()
    return bool(deleted)


@task()
def check_file(record_id: int) -> None:
    _step(record_id, FileImportState.CHECKING, dry_run, "preview", FileImportState.READY)


@task()
def import_file(record_id: int) -> None:
    _step(record_id, FileImportState.IMPORTING, import_project, "report", FileImportState.DONE)


def _step(record_id: int, state: str, step, keep: str, then: str) -> None:
    """``step`` (the preview or the import) on the record's file, if the record is still
    in ``state``; its outcome kept in the field ``keep`` and the record moved to ``then``,
    or, on failure, the reason kept and (the import being one transaction) nothing of
    the file. Every move is conditional on the state, so a job outrun by another request
    changes nothing."""
    record = ProjectFileImport.objects.select_related("project", "created_by").get(pk=record_id)
    if record.state != state:
        return
    choices = Choices(annotator=record.annotator, outlet=record.outlet)
    mine = ProjectFileImport.objects.filter(pk=record.pk, state=state)
    try:
        by = record.created_by
        if by is None or not record.project.memberships.filter(user=by, role=Role.OWNER).exists():
            raise UnreadableProject(
                "The owner who uploaded the file is no longer an owner of the project: "
                "upload it again."
            )
        data = read_project(bytes(record.data))
        outcome = step(project=record.project, data=data, choices=choices, by=by)
    except (UnreadableProject, ValidationError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    except Exception:
        logger.exception("Import of project file %s failed", record.pk)
        message = "The file could not be imported (an error in this app, now logged)."
    else:
        done: dict[str, object] = {keep: outcome.as_json(), "state": then}
        if then == FileImportState.DONE:
            done["data"] = b""  # imported: the articles hold its texts
        mine.update(**done, updated_at=timezone.now())
        return
    mine.update(state=FileImportState.FAILED, error=message, data=b"", updated_at=timezone.now())
