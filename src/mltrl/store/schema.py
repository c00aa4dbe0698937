"""The registry's tables (SQLAlchemy Core): the one definition Alembic migrates from.

Current state (projects, components, versions, couplings) sits beside an
append-only ``events`` table. Every write appends an event and updates the
current state in the same transaction; ``components.seq`` counts the
lifecycle events of a component and, together with the unique
``(component_id, seq)`` key on events, makes two concurrent writers of the
same component collide instead of both landing.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = DateTime(timezone=True)

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("rd_owner", String(200)),
    Column("product_owner", String(200)),
    Column("parent_id", Integer, ForeignKey("projects.id")),
    Column("fork_reason", Text),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    # Kebab-case traits such as "causal": catalogue criteria may apply only to projects with one (0014).
    Column("traits", JSON, nullable=False, server_default="[]"),
)

components = Table(
    "components",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("parent_id", Integer, ForeignKey("components.id")),
    Column("forked_from_id", Integer, ForeignKey("components.id")),
    Column("description", Text, nullable=False, default=""),
    Column("owner", String(200)),  # who builds it; may not be the only approver of its gate (0002)
    Column("entry_level", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("last_at", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("project_id", "code", name="uq_components_project_code"),
    CheckConstraint("level BETWEEN 0 AND 9", name="level_range"),
    CheckConstraint("entry_level BETWEEN 0 AND 9 AND entry_level <= level", name="entry_level_range"),
)

couplings = Table(
    "couplings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("other_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("component_id", "other_id", name="uq_couplings_pair"),
    CheckConstraint("component_id <> other_id", name="not_self"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("version", String(100), nullable=False),
    Column("uri", Text),
    Column("sha256", String(64)),
    Column("note", Text, nullable=False, default=""),
    Column("registered_at", Timestamp, nullable=False),
    Column("registered_by", String(200), nullable=False),
    UniqueConstraint("component_id", "kind", "version", name="uq_versions_component_kind_version"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    # Empty only for identity changes (a user added, a token revoked ...), which belong to no project.
    Column("project_id", Integer, ForeignKey("projects.id")),
    Column("component_id", Integer, ForeignKey("components.id")),
    # Lifecycle events carry the component's sequence number; other events
    # (a project created, a version registered ...) leave it empty.
    Column("seq", Integer),
    Column("kind", String(32), nullable=False),
    Column("from_level", Integer),
    Column("to_level", Integer),
    Column("entry_level", Integer),
    Column("switchback_kind", String(16)),
    Column("approver", String(400)),
    Column("reason", Text, nullable=False, default=""),
    Column("actor", String(200), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("data", JSON(none_as_null=True)),  # no data is SQL NULL, not the JSON text 'null'
    # Where the write came from (revision 0012): cli, python, token:PREFIX, session ...
    Column("via", String(200)),
    # The hash chain (revision 0012, mltrl.store.chain): the hash of the event before, and this one's.
    Column("prev_hash", String(64)),
    Column("hash", String(64)),
    UniqueConstraint("component_id", "seq", name="uq_events_component_seq"),
)

#: The head of the event chain (revision 0012): one row, id 1. Write transactions lock it on
#: PostgreSQL so the chain stays linear; its hash and length make a deleted last event visible.
event_chain = Table(
    "event_chain",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_hash", String(64), nullable=False),
    Column("length", Integer, nullable=False),
)

Index("ix_events_at", events.c.at)
Index("ix_events_project", events.c.project_id)
Index("ix_components_project", components.c.project_id)


# --- gated reviews, requirements and data sets (revision 0002) -------------------------------------

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("level", Integer, nullable=False),  # the gate at the end of this level
    Column("status", String(16), nullable=False),  # open | decided
    # What the level asked when the review opened (roles, criteria, checklist), so a later policy
    # change cannot move the goalposts of a review in progress.
    Column("template", JSON, nullable=False),
    Column("opened_at", Timestamp, nullable=False),
    Column("opened_by", String(200), nullable=False),
    Column("decision", String(16)),  # graduate | tasks | switchback | pause
    Column("to_level", Integer),
    Column("decision_reason", Text, nullable=False, default=""),
    Column("debrief", Text, nullable=False, default=""),
    Column("decided_at", Timestamp),
    Column("decided_by", String(200)),
    CheckConstraint("level BETWEEN 0 AND 9", name="level_range"),
)

review_panel = Table(
    "review_panel",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id"), nullable=False),
    Column("role", String(64), nullable=False),
    Column("person", String(200), nullable=False),
    Column("added_at", Timestamp, nullable=False),
    UniqueConstraint("review_id", "person", name="uq_review_panel_person"),
)

review_results = Table(
    "review_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id"), nullable=False),
    Column("criterion_id", String(80), nullable=False),
    Column("result", String(16), nullable=False),  # met | unmet | waived | not-applicable
    Column("note", Text, nullable=False, default=""),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    UniqueConstraint("review_id", "criterion_id", name="uq_review_results_criterion"),
)

review_ethics = Table(
    "review_ethics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id"), nullable=False),
    Column("question_id", String(80), nullable=False),
    Column("answer", Text, nullable=False),
    Column("answered_by", String(200), nullable=False),
    Column("answered_at", Timestamp, nullable=False),
    UniqueConstraint("review_id", "question_id", name="uq_review_ethics_question"),
)

review_signatures = Table(
    "review_signatures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id"), nullable=False),
    Column("person", String(200), nullable=False),
    Column("verdict", String(20), nullable=False),  # approve | request-changes
    Column("tasks", JSON, nullable=False),  # [{"task": ..., "target": ...}] when changes are requested
    Column("note", Text, nullable=False, default=""),
    Column("signed_at", Timestamp, nullable=False),
    # What the signer saw (revision 0012, mltrl.views.attestation): its canonical JSON and SHA-256.
    Column("seen", JSON),
    Column("digest", String(64)),
    # An SSH signature (ssh-keygen -Y sign -n mltrl-review) over the signed statement, and the key's
    # fingerprint, when the signer signed with an SSH key.
    Column("ssh_signature", Text),
    Column("ssh_key", String(200)),
    UniqueConstraint("review_id", "person", name="uq_review_signatures_person"),
)

review_choices = Table(
    "review_choices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("review_id", Integer, ForeignKey("reviews.id"), nullable=False),
    Column("point_id", String(64), nullable=False),  # a key decision point of the level
    Column("option_id", String(64), nullable=False),
    Column("on_date", String(10)),  # e.g. the date of a level-8 "go"
    Column("note", Text, nullable=False, default=""),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    UniqueConstraint("review_id", "point_id", name="uq_review_choices_point"),
)

requirements = Table(
    "requirements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("code", String(32), nullable=False),  # N, N.M or N.M.K: requirement.subset.component
    Column("kind", String(16), nullable=False),  # research | product
    Column("statement", Text, nullable=False),
    Column("rationale", Text, nullable=False, default=""),
    Column("stakeholder", String(200), nullable=False, default=""),
    Column("p_failure", Float, nullable=False),
    Column("value", Integer, nullable=False),
    Column("category", String(16), nullable=False),
    Column("scenarios", JSON, nullable=False),  # critical scenarios tests must cover
    Column("slices", JSON, nullable=False),  # data slices tests must cover
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("project_id", "code", name="uq_requirements_project_code"),
    CheckConstraint("p_failure >= 0 AND p_failure <= 1", name="p_failure_range"),
    CheckConstraint("value BETWEEN 1 AND 10", name="value_range"),
)

requirement_components = Table(
    "requirement_components",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("requirement_id", Integer, ForeignKey("requirements.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    UniqueConstraint("requirement_id", "component_id", name="uq_requirement_components_pair"),
)

vv_steps = Table(
    "vv_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("requirement_id", Integer, ForeignKey("requirements.id"), nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, ... within the requirement
    Column("kind", String(16), nullable=False),  # verification | validation
    Column("description", Text, nullable=False),
    Column("method", String(16), nullable=False),  # test | analysis | inspection | demonstration
    Column("status", String(16), nullable=False),  # planned | passed | failed | waived
    Column("waive_reason", Text, nullable=False, default=""),
    Column("updated_at", Timestamp, nullable=False),
    Column("updated_by", String(200), nullable=False),
    UniqueConstraint("requirement_id", "number", name="uq_vv_steps_number"),
)

datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "project_id", Integer, ForeignKey("projects.id"), nullable=False
    ),  # the project that registered it
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # real | synthetic | simulated | benchmark | sample
    Column("source", Text, nullable=False, default=""),
    Column("owner", String(200), nullable=False, default=""),
    Column("sensitive", JSON, nullable=False),  # flags such as personal, health, minors
    Column("datasheet", JSON, nullable=False),  # Datasheets for Datasets sections
    # Group columns with each group's row count, counted from the data (0014).
    Column("demographics", JSON, nullable=False, server_default="[]"),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
)

dataset_versions = Table(
    "dataset_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("version", String(100), nullable=False),
    Column("sha256", String(64)),
    Column("uri", Text),
    Column("note", Text, nullable=False, default=""),
    Column("registered_at", Timestamp, nullable=False),
    Column("registered_by", String(200), nullable=False),
    UniqueConstraint("dataset_id", "version", name="uq_dataset_versions_version"),
)

dataset_links = Table(
    "dataset_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("role", String(16), nullable=False),  # train | validation | test | golden | reference
    Column("version", String(100)),  # the data set version used, when pinned
    Column("linked_at", Timestamp, nullable=False),
    UniqueConstraint("dataset_id", "component_id", "role", name="uq_dataset_links_use"),
)

Index("ix_reviews_component", reviews.c.component_id)
Index("ix_requirements_project", requirements.c.project_id)


# --- evidence and TRL cards (revision 0003) -------------------------------------------------------

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    # test-run | metric | report | data-check | deployment-test | monitoring
    Column("kind", String(20), nullable=False),
    Column("outcome", String(8), nullable=False),  # pass | fail
    Column("metrics", JSON, nullable=False),
    Column("source", String(16), nullable=False),  # cli | api | ci | pytest
    Column("note", Text, nullable=False, default=""),
    Column("criterion_id", String(80)),  # the gate criterion it backs, if any
    Column("requirement_id", Integer, ForeignKey("requirements.id")),  # the V&V step it backs, if any
    Column("step_number", Integer),
    # The component's code/model/data versions it was computed on: {"model": "2.0.0", ...}. A newer
    # registered version of any kind makes the evidence stale.
    Column("versions", JSON, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

evidence_files = Table(
    "evidence_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
    Column("size", Integer, nullable=False),
)

#: Attached files, stored once per content hash (the same report attached twice is kept once).
blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

#: Hand-written TRL Card sections; scope "" is the project's card, otherwise a component code.
card_sections = Table(
    "card_sections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("scope", String(32), nullable=False),
    Column("section", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("updated_by", String(200), nullable=False),
    UniqueConstraint("project_id", "scope", "section", name="uq_card_sections_section"),
)

#: Frozen card revisions, one at every level change (and on demand).
card_revisions = Table(
    "card_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("scope", String(32), nullable=False),
    Column("number", Integer, nullable=False),
    Column("level", Integer),
    Column("reason", Text, nullable=False, default=""),
    Column("content", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("project_id", "scope", "number", name="uq_card_revisions_number"),
)

Index("ix_evidence_component", evidence.c.component_id)

#: What each live component adds to its project's latest card revision (revision 0016): the length
#: of its run in each per-component list of the card (mltrl.cards.parts.PART_FIELDS), so that the
#: next revision can be derived by replacing the runs of the components that changed.
card_members = Table(
    "card_members",
    metadata,
    Column("component_id", Integer, ForeignKey("components.id"), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("level", Integer),
    Column("status", String(16), nullable=False),
    Column("n_codes", Integer, nullable=False),
    Column("n_how", Integer, nullable=False),
    Column("n_versions", Integer, nullable=False),
    Column("n_group", Integer, nullable=False),
    Column("n_handoffs", Integer, nullable=False),
    Column("n_testing", Integer, nullable=False),
    Column("n_ethics", Integer, nullable=False),
    Column("n_metrics", Integer, nullable=False),
    Column("fairness", Text),
    Column("volatile", Boolean, nullable=False),
)
Index("ix_card_members_project", card_members.c.project_id, card_members.c.component_id)
# The few members a derivation reads beyond the changed ones (partial: they cost what they list).
for _name, _where in (
    ("ix_card_members_volatile", "volatile"),
    ("ix_card_members_metrics", "n_metrics > 0"),
    ("ix_card_members_fairness", "fairness IS NOT NULL"),
):
    Index(
        _name,
        card_members.c.project_id,
        card_members.c.component_id,
        sqlite_where=text(_where),
        postgresql_where=text(_where),
    )
#: The system TRL is the lowest live level of a project: read from the index's low end.
Index("ix_components_project_level", components.c.project_id, components.c.level)

#: The project card revision card_members describes (revision 0016): its number, the last event it
#: saw, the policy it was assembled under, its size as JSON, and a token naming this very row.
card_state = Table(
    "card_state",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("number", Integer, nullable=False),
    Column("seen_event", Integer, nullable=False),
    Column("policy", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("token", String(32), nullable=False),
)


# --- monitoring profiles (revision 0004) ----------------------------------------------------------

#: Mergeable data profiles of a component: its reference(s) and its time windows.
profiles = Table(
    "profiles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("role", String(16), nullable=False),  # reference | window
    Column("name", String(64), nullable=False),  # reference name, or the window's label
    Column("window_start", Timestamp),
    Column("window_end", Timestamp),
    Column("rows", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("updated_by", String(200), nullable=False),
    UniqueConstraint("component_id", "role", "name", name="uq_profiles_component_role_name"),
)


# --- monitoring alerts (revision 0005) --------------------------------------------------------------

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # drift | skew | data-quality | performance
    Column("message", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("webhook", Text),  # where it was sent, and how that went
    Column("acknowledged_at", Timestamp),
    Column("acknowledged_by", String(200)),
    Column("review_id", Integer, ForeignKey("reviews.id")),  # the review this alert opened or joined
    Column("window_label", String(64)),  # the monitoring window it is about, if any
)


# --- delayed actuals (revision 0006) ---------------------------------------------------------------

#: Predictions waiting for their actual; each row is deleted as soon as its actual arrives.
pending_predictions = Table(
    "pending_predictions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("prediction_id", String(200), nullable=False),
    Column("window_label", String(64), nullable=False),
    Column("predicted", String(200), nullable=False),
    Column("logged_at", Timestamp, nullable=False),
    UniqueConstraint("component_id", "prediction_id", name="uq_pending_predictions_id"),
)

#: Running evaluation per window: only sums, never the rows.
evaluations = Table(
    "evaluations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("window_label", String(64), nullable=False),
    Column("task", String(16), nullable=False),  # classification | regression
    Column("n", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("abs_error", Float, nullable=False),
    Column("squared_error", Float, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("component_id", "window_label", name="uq_evaluations_window"),
)


# --- readiness targets (revision 0009) --------------------------------------------------------------

#: "Component reaches level N by date": the paper's quantifiable progress, as OKRs.
targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("level", Integer, nullable=False),
    Column("due", String(10), nullable=False),  # YYYY-MM-DD: the target holds until the end of that day (UTC)
    Column("note", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    CheckConstraint("level BETWEEN 0 AND 9", name="level_range"),
    Index("ix_targets_component", "component_id"),
)

#: Who works on a component, in which role, from which level to which: the paper's working group,
#: which evolves as the work climbs (product engineering joins at 4, QA leads from 7 ...).
working_group = Table(
    "working_group",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("person", String(200), nullable=False),
    Column("role", String(100), nullable=False),
    Column("joined_at", Timestamp, nullable=False),
    Column("joined_level", Integer, nullable=False),
    Column("left_at", Timestamp),
    Column("left_level", Integer),
    Column("left_reason", Text),
    Index("ix_working_group_component", "component_id"),
)


# --- identities for the team server (revision 0010) ------------------------------------------------

#: People who use the server. No default account: the first admin is made by `mltrl user add --admin`.
#: ``name`` is what the registry records as the actor of a write and the signer of an approval.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", Text),  # argon2id; NULL: no password login (tokens only)
    Column("is_admin", Boolean, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("disabled_at", Timestamp),
    Column("disabled_by", String(200)),
)

#: API tokens: only a SHA-256 of the secret is kept (the secret is random, 256 bits, so a slow hash
#: buys nothing and would cost every request); ``prefix`` finds the row and identifies the token in
#: listings. ``projects`` is a JSON list of project keys (["*"]: every project the user has a role
#: on); ``scopes`` a JSON list of read, write, approve, admin.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("prefix", String(32), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("projects", JSON, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp),
    Column("revoked_by", String(200)),
    Column("last_used_at", Timestamp),
    Index("ix_api_tokens_user", "user_id"),
)

#: A user's roles on a project, optionally limited to components at levels min_level..max_level
#: (QA approves from level 7). Revoking deletes the row; who granted it is kept while it holds.
project_roles = Table(
    "project_roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("min_level", Integer, nullable=False),
    Column("max_level", Integer, nullable=False),
    Column("granted_at", Timestamp, nullable=False),
    Column("granted_by", String(200), nullable=False),
    CheckConstraint("min_level BETWEEN 0 AND 9 AND max_level BETWEEN min_level AND 9", name="level_range"),
    UniqueConstraint("user_id", "project_id", "role", name="uq_project_roles_grant"),
    Index("ix_project_roles_project", "project_id"),
)


# --- checks storage (revision 0009_checks_storage) --------------------------------------------------

#: Each model version's score on a golden data set version: the succession of models, and the
#: per-row outputs a later candidate is compared with (seeded paired bootstrap).
golden_scores = Table(
    "golden_scores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("dataset_version", String(100), nullable=False),
    Column("metric", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # pass | fail | insufficient
    Column("value", Float),  # None when undefined (e.g. too few rows)
    Column("ci_low", Float),
    Column("ci_high", Float),
    Column("n", Integer, nullable=False),
    Column("champion_version", String(100)),  # the model version it was compared with, if any
    Column("result", JSON, nullable=False),  # the CheckResult as plain data
    Column("labels_sha256", String(64), nullable=False),  # the golden labels it was scored against
    Column("outputs", LargeBinary, nullable=False),  # compressed numpy: the per-row outputs scored
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Index("ix_golden_scores_component", "component_id", "dataset_id", "dataset_version"),
)

#: The component's codified metamorphic relations: each names a built-in perturbation.
relations = Table(
    "relations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),  # invariance | directional | monotonic
    Column("perturbation", String(64), nullable=False),  # a mltrl.checks.perturbations function
    Column("params", JSON, nullable=False),  # its keyword arguments
    Column("direction", String(8)),  # up | down, for directional and monotonic relations
    Column("tolerance", Float, nullable=False),
    Column("atol", Float, nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("component_id", "name", name="uq_relations_component_name"),
)

#: One relation's outcome in one run of the component's codified list; the definition it ran with
#: is kept, so a relation changed since (removed and added again) needs a new run.
relation_results = Table(
    "relation_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("component_id", Integer, ForeignKey("components.id"), nullable=False),
    Column("relation", String(100), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # pass | fail | insufficient
    Column("failures", Integer, nullable=False),
    Column("n", Integer, nullable=False),
    Column("failure_rate", Float),
    Column("ci_low", Float),
    Column("ci_high", Float),
    Column("evidence_id", Integer, ForeignKey("evidence.id"), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Index("ix_relation_results_component", "component_id", "relation"),
)


# --- browser sessions of the dashboard (revision 0013_sessions) --------------------------------------

#: A logged-in browser. The cookie holds a random secret; only its SHA-256 is kept (like a token's).
#: ``csrf`` is the synchronizer token every state-changing form of the session must send back.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("last_seen_at", Timestamp, nullable=False),
    Column("client", String(200), nullable=False),  # the address it logged in from
    Column("user_agent", String(300), nullable=False),
    Column("revoked_at", Timestamp),
    Column("revoked_by", String(200)),
    # An OIDC login's provider and ID token, to end the provider's session too at logout (0017).
    Column("issuer", String(500)),
    Column("id_token", Text),
    Index("ix_web_sessions_user", "user_id"),
)

#: Failed logins per user name and per client address, for the back-off between attempts. A row
#: is cleared by a successful login of that user (from that address).
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subject", String(200), nullable=False, unique=True),  # "user:NAME" or "client:ADDRESS"
    Column("failures", Integer, nullable=False),
    Column("last_failed_at", Timestamp, nullable=False),
    Column("locked_until", Timestamp, nullable=False),
)

#: The identity a user logs in as at an OIDC provider (docs/server.md). Linked rows carry the
#: provider's ``subject``, the only thing later logins match on; a row with no subject waits for the
#: first login whose mapped claim equals ``expected`` (`mltrl user link-oidc --claim`). One identity
#: per user and provider, one user per identity.
oidc_identities = Table(
    "oidc_identities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("subject", String(255)),
    Column("expected", String(320)),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("linked_at", Timestamp),
    Column("last_login_at", Timestamp),
    UniqueConstraint("issuer", "subject", name="uq_oidc_identities_issuer_subject"),
    UniqueConstraint("user_id", "issuer", name="uq_oidc_identities_user_issuer"),
)
