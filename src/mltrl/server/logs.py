"""The server's log lines: one JSON object per line on standard error, whatever the message holds.

A message with a quote or a line break, and an exception's traceback, stay inside the object (as an
escaped string), so a log shipper never sees half a record. The access log's message is already an
object (method, path, status, ms, user, token, client, and the error line of a refusal): it is
embedded as one, not as a string.
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

ACCESS_LOGGER = "mltrl.server.access"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message: Any = record.getMessage()
        if record.name == ACCESS_LOGGER:
            with contextlib.suppress(ValueError):  # a plain line from elsewhere stays a string
                message = json.loads(message)
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
