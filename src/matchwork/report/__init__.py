"""The round report for the placement office, and the headline of what holds placements back."""

from matchwork.report.headline import Headline, blockers, headline
from matchwork.report.report import WITH_TEXT_UP_TO, render_report, report_rows

__all__ = ["WITH_TEXT_UP_TO", "Headline", "blockers", "headline", "render_report", "report_rows"]
