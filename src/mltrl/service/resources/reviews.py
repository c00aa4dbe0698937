"""``reg.reviews``: ``/projects/{key}/reviews`` and the gate review's panel, results, ethics answers,
key decisions, signatures and decision."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from mltrl.errors import NotFound
from mltrl.service import inputs, lookup, review_file, review_prefill, reviews
from mltrl.service.resources._base import Resource
from mltrl.service.review_prefill import AppliedReview
from mltrl.store import review_queries
from mltrl.store.records import ReviewRecord
from mltrl.views import attestation
from mltrl.views.cadence import ReviewDue, schedule
from mltrl.views.review import ReviewView, review_view

When = datetime | str | None


class Reviews(Resource):
    """Open a review at a component's level, staff it, record results and answers, sign, decide."""

    def open(
        self, ref: str, *, entry: bool | None = None, from_review: int | None = None, at: When = None
    ) -> ReviewRecord:
        """Open the gate review of ``ref`` at its current level (``POST .../components/{code}/reviews``;
        one open review per component).

        For a component waiting to enter high, this is its entry review: the gate into its level.
        ``entry=True``/``False`` insists on one kind or the other. ``from_review=N`` starts from
        review N's panel and ethics answers (see :meth:`apply`, which also says what was
        left out).
        """
        if from_review is not None:
            return self.apply(ref, {}, entry=entry, from_review=from_review, at=at).review
        return self._write(reviews.open_review, self.catalog, ref, entry=entry, at=at)

    def apply(
        self,
        ref: str,
        data_or_path: Mapping[str, Any] | str | Path,
        *,
        entry: bool | None = None,
        from_review: int | None = None,
        at: When = None,
    ) -> AppliedReview:
        """Open ``ref``'s review and record a whole review file on it, in one transaction.

        ``data_or_path``: the review file's content (a mapping) or its path (``str`` or ``Path``):
        panel, results, ethics answers, key decisions, signatures and optionally the decision (see
        docs/reviews.md). It is validated as a whole first, then recorded through the same rules as
        the single calls; any refusal leaves nothing written, not even the review. ``from_review=N``
        first copies review N's panel and ethics answers (never its results or signatures).
        """
        spec, source = review_file.load(data_or_path)
        return self._write(
            review_prefill.apply,
            self.catalog,
            ref,
            spec,
            source=source,
            entry=entry,
            from_review=from_review,
            at=at,
        )

    def add_member(self, review_id: int, role: str, person: str, *, at: When = None) -> None:
        """Seat ``person`` on the panel in ``role`` (``POST .../reviews/{id}/panel``)."""
        self._write(reviews.add_member, review_id, role, person, at=at)

    def record_result(
        self, review_id: int, criterion: str, result: str, note: str = "", *, at: When = None
    ) -> None:
        """``result``: met, unmet, waived or not-applicable (the last two need a reason in ``note``);
        ``POST .../reviews/{id}/results``."""
        self._write(reviews.record_result, review_id, criterion, result, note, at=at)

    def answer_ethics(self, review_id: int, answers: dict[str, str], *, at: When = None) -> None:
        """Answer ethics checklist questions (question id -> answer; ``POST .../reviews/{id}/ethics``);
        answers can be revised until decided."""
        self._write(reviews.answer_ethics, review_id, answers, at=at)

    def record_choice(
        self,
        review_id: int,
        point: str,
        option: str,
        *,
        on_date: str | None = None,
        note: str = "",
        at: When = None,
    ) -> None:
        """Record a key decision point of the level, e.g. ``research-path`` = ``both``
        (``POST .../reviews/{id}/choices``)."""
        self._write(reviews.choose, review_id, point, option, on_date=on_date, note=note, at=at)

    def sign(
        self,
        review_id: int,
        person: str,
        verdict: str = "approve",
        *,
        tasks: list[dict[str, str]] | list[str] | None = None,
        note: str = "",
        at: When = None,
        ssh_signature: str | None = None,
        role: str | None = None,
    ) -> None:
        """A panel member signs once (``POST .../reviews/{id}/signatures``): ``approve``, or
        ``request-changes`` with specific tasks; with ``role``, only as that seat on the panel.

        The signature keeps a digest of what the review shows (docs/trust.md); ``ssh_signature``:
        an armored ``ssh-keygen -Y sign -n mltrl-review`` signature of :meth:`statement`,
        checked against the allowed-signers file. A signature that no longer matches what the
        review shows may be made again.
        """
        settings = self.catalog.settings
        self._write(
            reviews.sign,
            review_id,
            person,
            verdict,
            tasks=tasks,
            note=note,
            at=at,
            ssh_signature=ssh_signature,
            signers=self.allowed_signers(),
            role=role,
            # Local signing only: on the team server the authenticated user is the signer.
            require_ssh=settings.require_ssh_signatures and self._reg.via in ("cli", "python"),
        )

    def allowed_signers(self) -> Path | None:
        """The allowed-signers file SSH signatures are checked against (None: there is none)."""
        from mltrl import sshsig

        return sshsig.allowed_signers(self.catalog.settings.ssh_allowed_signers, self._reg.location.home)

    def statement(self, review_id: int, person: str, verdict: str = "approve") -> str:
        """What an SSH key signs to sign review ``review_id`` as ``person`` now (its digest included)."""

        def view(r):  # type: ignore[no-untyped-def]
            record = review_queries.review(r, int(review_id))
            if record is None:
                raise NotFound(f"no review {review_id} (see `mltrl review list`)")
            seen = attestation.digest(attestation.snapshot(r, record))
            return attestation.statement(record.id, person, verdict, seen)

        return self._read(view)

    def decide(
        self,
        review_id: int,
        decision: str,
        *,
        to_level: int | None = None,
        reason: str = "",
        debrief: str = "",
        fork_key: str | None = None,
        at: datetime | str | None = None,
    ) -> ReviewRecord:
        """graduate | tasks | switchback (with ``to_level``) | pause | stay; immutable afterwards
        (``POST .../reviews/{id}/decision``).

        ``stay``: decided, the component stays at its level (level-2 more research, level-8 no-go,
        level-9 keep). On an entry review, ``graduate`` admits the component at its level.
        """
        return self._write(
            reviews.decide,
            self.catalog,
            review_id,
            decision,
            to_level=to_level,
            reason=reason,
            debrief=debrief,
            fork_key=fork_key,
            at=at,
        )

    def get(self, review_id: int) -> ReviewView:
        """The review with its template, blockers and outcome (``GET /projects/{key}/reviews/{id}``)."""
        return self._read(review_view, int(review_id), self.catalog, self.allowed_signers())

    def record(self, review_id: int) -> ReviewRecord:
        """The review's own row (component, level, status), without what its view computes: what
        the server checks a caller's roles against before a write."""

        def view(r):  # type: ignore[no-untyped-def]
            found = review_queries.review(r, int(review_id))
            if found is None:
                raise NotFound(f"no review {review_id} (see `mltrl review list`)")
            return found

        return self._read(view)

    def due(self, project: str | None = None, *, now: datetime | None = None) -> list[ReviewDue]:
        """Deployed components with the date their recurring review is due, soonest first
        (``GET /projects/{key}/due-reviews``)."""

        def view(r):  # type: ignore[no-untyped-def]
            key = lookup.project(r, project).key if project else None
            return schedule(r, self.catalog.settings.review_every_days, now or inputs.now(), key)

        return self._read(view)

    def list(self, target: str | None = None) -> list[ReviewRecord]:
        """Reviews of a project (``KEY``), a component (``KEY/CODE``) or everything
        (``GET /projects/{key}/reviews``)."""

        def view(r):  # type: ignore[no-untyped-def]
            if target is None:
                return review_queries.reviews(r)
            if "/" in target:
                return review_queries.reviews(r, component_id=lookup.component(r, target).id)
            return review_queries.reviews(r, project_key=lookup.project(r, target).key)

        return self._read(view)
