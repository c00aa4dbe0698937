"""The schema revision this mltrl expects, kept apart so reads need not import Alembic.

A test checks it equals the head of ``store/migrations``.
"""

HEAD_REVISION = "0007_alert_reviews"
