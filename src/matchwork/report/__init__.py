"""The round report for the placement office."""

from matchwork.report.report import WITH_TEXT_UP_TO, render_report

__all__ = ["WITH_TEXT_UP_TO", "render_report"]
