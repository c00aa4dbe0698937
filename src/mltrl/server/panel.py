"""Seating people on a review's panel and telling them, the same way from the REST API and the dashboard.

Only someone whose roles let them sign this review at its level may be seated; once seated they are
told by webhook (:mod:`mltrl.server.web.notify`), and when a signature leaves nothing blocking the
gate, whoever decides on the project is told it is ready.
"""

from __future__ import annotations

from typing import Any

from fastapi import BackgroundTasks

from mltrl.errors import Forbidden
from mltrl.server.security import Caller
from mltrl.server.web import notify
from mltrl.service.authorization import Action, Role, allows
from mltrl.store.records import ReviewRecord
from mltrl.views.review import ReviewView


def seat(
    caller: Caller, tasks: BackgroundTasks, base_url: str, review: ReviewRecord, role: str, person: str
) -> str:
    """Put ``person`` on ``review``'s panel as ``role`` and tell them; the seated user's name."""
    key, review_id = review.project_key, review.id
    member = caller.registry.users.member(person.strip())
    reason = member.denial(Action.SIGN, key, review.level)
    if reason is not None:
        raise Forbidden(f"review {review_id}: {reason}")
    caller.registry.reviews.add_member(review_id, role, member.name)
    tasks.add_task(notify.panel_seat, base_url, review, member.name, role)
    return member.name


def after_signature(caller: Caller, tasks: BackgroundTasks, base_url: str, review_id: int) -> ReviewView:
    """The review after a signature; when nothing blocks it any more, its deciders are told."""
    after: ReviewView = caller.registry.reviews.get(review_id)
    if not after.blockers:
        tasks.add_task(notify.ready_to_decide, base_url, after.record, deciders(caller, after))
    return after


def deciders(caller: Caller, view: ReviewView) -> list[str]:
    """Users whose role decides this review at its level: whom a review ready for its decision waits for."""
    grants: list[Any] = caller.registry.roles.list(project=view.record.project_key)
    level = view.record.level
    return sorted(
        {
            g.user
            for g in grants
            if allows(Role(g.role), Action.DECIDE) and g.min_level <= level <= g.max_level
        }
    )
