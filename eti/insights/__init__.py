"""Innsikt: anonymous, aggregated signals for the people who run the services.

One event per answer (redacted question, status, sectors, schemes, kommune, cited sources, a salted
conversation hash, the rating it got) is recorded off the event loop; ``build_report`` turns a
window of them into themes of unanswered and rated-down questions, old cited sources, rising topics
and volume per sector, scheme, kommune and week, showing nothing held by fewer than k conversations.
"""

from eti.insights.export import write_report
from eti.insights.models import Report
from eti.insights.recorder import Recorder
from eti.insights.render import render
from eti.insights.report import WINDOW_PATTERN, ReportInputs, build_report, window_seconds
from eti.insights.store import EventStore

__all__ = ["WINDOW_PATTERN", "EventStore", "Recorder", "Report", "ReportInputs", "build_report", "render",
           "window_seconds", "write_report"]
