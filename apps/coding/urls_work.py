"""Assignments, queues and "done", under ``work/`` (names in ``coding``)."""

from django.urls import path

from apps.coding import views_work

urlpatterns = [
    path("assignments/", views_work.assignments, name="assignments"),
    path("assignments/new/", views_work.assign, name="assign"),
    path("assignments/<int:assignment_id>/remove/", views_work.unassign, name="unassign"),
    path("assignments/<int:assignment_id>/reopen/", views_work.reopen, name="reopen"),
    path("blind-coding/", views_work.blind_coding, name="blind-coding"),
    path("queue/", views_work.my_queue, name="queue"),
    path("articles/<int:article_id>/done/", views_work.mark_done, name="done"),
]
