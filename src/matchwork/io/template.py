"""The blank round workbook an office fills in: ``matchwork template round.xlsx``.

One sheet per table, headed as :func:`matchwork.io.tables.columns` heads it in the
chosen language (Italian: the schema's ``"it"`` term of each field), with

* a first sheet of instructions: how to fill in, then every column of every table
  with what it means, whether it is required and the values it takes;
* one example row per table (row 2), which together form a valid round;
* a comment on every header saying what to write;
* a drop-down list (Excel data validation) on every column that takes one word of
  a vocabulary — mobility, support, gender, categories, services, relationship kinds,
  roles, site kinds, yes/no — fed from a sheet of lists, which also lists the words
  of every vocabulary a cell takes several of (skills, languages, half-days,
  adjustments…), to be separated with ``;``.

The words offered are the vocabularies' labels in the chosen language, which the
profiles read as their codes (:class:`matchwork.model.vocab.Vocabulary`).

Examples
--------
>>> import tempfile, openpyxl
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_template(f"{tmp}/tornata.xlsx")
...     book = openpyxl.load_workbook(path)
...     book.sheetnames[:3], [c.value for c in book["sedi"][1]][:3]
(['istruzioni', 'candidati', 'lavoratori guida'], ['codice', 'ragione sociale', 'tipo'])
"""

from __future__ import annotations

import datetime as dt
import os
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from matchwork._validation import Lang, choice
from matchwork.i18n import text
from matchwork.io.atomic import atomic_file
from matchwork.io.tables import TABLES, columns, sheet_name
from matchwork.model.profiles import PROFILE_TYPES, Location, sensitive_fields
from matchwork.model.vocab import (
    Accommodation,
    Category,
    Gender,
    Language,
    LivedExperience,
    Mobility,
    ReferringService,
    RelationshipKind,
    Role,
    SiteKind,
    Skill,
    Slot,
    SupportIntensity,
    label,
)

__all__ = ["EXAMPLES", "FIRST_LANGUAGES", "write_template"]

ROWS = 2000
"""Rows of each sheet that carry the drop-down lists."""

FIRST_LANGUAGES = ("it", "en", "fr", "de", "es", "pt", "ar", "ro", "uk", "ru",
                   "sq", "zh", "ur", "hi", "pa", "bn", "wo", "pl", "tr", "ti")  # fmt: skip
"""Languages listed first (the ones with a name); every other ISO 639-1 code follows."""

EXAMPLES: dict[str, dict[str, Any]] = {
    "candidates": {
        "id": "C001",
        "name": "Anna R.",
        "area": "Mantova",
        "municipality": "Borgo Virgilio",
        "max_commute_km": 20,
        "mobility": Mobility.PUBLIC_TRANSPORT,
        "skills": {Skill.CLEANING: 2, Skill.WAREHOUSE: 1},
        "wished_sectors": ["81.21"],
        "languages": [Language("it"), Language("en")],
        "availability": [Slot.MON_AM, Slot.TUE_AM, Slot.WED_AM, Slot.THU_AM, Slot.FRI_AM],
        "accommodations": [Accommodation.FREQUENT_BREAKS],
        "support_intensity": SupportIntensity.MEDIUM,
        "wants_peer": True,
        "peer_experience": [LivedExperience.MENTAL_HEALTH],
        "category": Category.PSYCHIATRIC_TREATMENT,
        "referring_service": ReferringService.CPS,
    },
    "guides": {
        "id": "G001",
        "name": "Bruno T.",
        "site_id": "S001",
        "skills": {Skill.CLEANING: 3},
        "languages": [Language("it")],
        "gender": Gender.M,
        "can_lead": True,
        "current_mentees": 1,
        "years_experience": 8,
    },
    "peers": {
        "id": "P001",
        "name": "Carla M.",
        "areas_served": ["Mantova"],
        "municipality": "Mantova",
        "languages": [Language("it")],
        "gender": Gender.F,
        "lived_experience": [LivedExperience.MENTAL_HEALTH],
        "hours_per_week": 6,
    },
    "sites": {
        "id": "S001",
        "name": "Cooperativa Il Ponte – pulizie",
        "kind": SiteKind.COOPERATIVE,
        "sector": "81.21",
        "area": "Mantova",
        "municipality": "Mantova",
        "headcount": 25,
        "company_tutors": 2,
        "cooperative_id": "K001",
        "accommodations": [Accommodation.FREQUENT_BREAKS, Accommodation.WRITTEN_INSTRUCTIONS],
    },
    "positions": {
        "site_id": "S001",
        "id": "M001",
        "title": "addetto alle pulizie",
        "skills": {Skill.CLEANING: 2},
        "shifts": [Slot.MON_AM, Slot.TUE_AM, Slot.WED_AM, Slot.THU_AM, Slot.FRI_AM],
        "hours_per_week": 20,
        "openings": 2,
    },
    "tutors": {
        "id": "T001",
        "name": "Elena V.",
        "site_id": "S001",
        "languages": [Language("it")],
        "gender": Gender.F,
        "max_trainees": 3,
    },
    "operators": {
        "id": "O001",
        "name": "Franco L.",
        "areas_served": ["Mantova"],
        "languages": [Language("it")],
        "caseload": 12,
    },
    "cooperatives": {
        "id": "K001",
        "name": "Cooperativa sociale Il Ponte",
        "workers": 48,
        "disadvantaged_workers": 16,
        "year": 2025,
    },
    "relationships": {"a": "P001", "b": "G001", "kind": RelationshipKind.FAMILY},
    "pairings": {"candidate_id": "C001", "partner_id": "G001", "role": Role.LEAD_GUIDE, "since": dt.date(2026, 1, 12)},
    "pins": {"candidate_id": "C001", "partner_id": "S001", "role": None},
    "forbids": {"candidate_id": "C001", "partner_id": "P001", "role": Role.PEER},
}
"""One example row per table, in codes; written in the template's language. Together they form a valid round."""

_ROUND_EXAMPLE = {"name": "template.example_name", "date": dt.date(2026, 9, 1)}


def _vocabulary(table: str, column: str) -> type[Enum] | None:
    model: Any = Location if column in ("lat", "lon", "municipality") else PROFILE_TYPES.get(table)
    info = model.model_fields.get(column) if model is not None else None
    if info is None:
        return None
    inner: Any = info.annotation
    while typing.get_args(inner):
        args = [a for a in typing.get_args(inner) if a is not type(None)]
        found = [a for a in args if isinstance(a, type) and issubclass(a, Enum)]
        if found:
            return found[0]
        inner = args[0]
    return inner if isinstance(inner, type) and issubclass(inner, Enum) else None


def _kind(table: str, column: str) -> str:
    """``one`` (a single word of a vocabulary), ``many``, ``levels`` (word:level), ``bool``, or a plain kind."""
    if table == "round":
        return "text"
    model: Any = Location if column in ("lat", "lon", "municipality") else PROFILE_TYPES[table]
    info = model.model_fields.get(column)
    if info is None:  # positions.site_id
        return "code"
    annotation = info.annotation
    origin = typing.get_origin(annotation)
    if origin is dict:
        return "levels"
    if origin in (frozenset, set, list, tuple):
        return "many" if _vocabulary(table, column) else "list"
    if annotation is bool or set(typing.get_args(annotation)) == {bool, type(None)}:  # yes/no, or yes/no/empty
        return "bool"
    if _vocabulary(table, column):
        return "one"
    if column == "sector" or column == "wished_sectors":
        return "sector"
    names = str(annotation)
    if "date" in names:
        return "date"
    if "int" in names:
        return "integer"
    if "float" in names:
        return "number"
    return "code" if column.endswith(("id", "_ids")) or column in ("a", "b", "care_team") else "text"


def _words(vocabulary: type[Enum], lang: str) -> list[str]:
    codes = [m.value for m in vocabulary]
    if vocabulary is Language:
        codes = [*FIRST_LANGUAGES, *(c for c in codes if c not in FIRST_LANGUAGES)]
    return [label(c, lang) for c in codes]


def _cell(table: str, column: str, value: Any, lang: str) -> Any:
    if value is None:
        return None
    kind = _kind(table, column)
    if kind == "levels":
        return "; ".join(f"{label(k, lang)}:{v}" for k, v in value.items())
    if kind in ("many", "list"):
        return "; ".join(label(str(v.value), lang) if isinstance(v, Enum) else str(v) for v in value)
    if kind == "bool":
        return text("template.yes" if value else "template.no", lang)
    if isinstance(value, Enum):
        return label(str(value.value), lang)
    return value


def _meaning(table: str, column: str, lang: str) -> str:
    return text(f"field.{table}.{column}", lang)


def _values(table: str, column: str, lang: str, lists: str, list_headers: dict[str, str]) -> str:
    kind = _kind(table, column)
    vocabulary = _vocabulary(table, column)
    if vocabulary is not None:
        words = _words(vocabulary, lang)
        shown = (
            ", ".join(words)
            if len(words) <= 24
            else text("template.see_lists", lang, lists=lists, column=list_headers[vocabulary.__name__])
        )
        if kind == "one":
            return shown
        if kind == "levels":
            return text("template.levels", lang) + ": " + shown
        return text("template.list_of", lang, words=shown)
    if kind == "bool":
        return f"{text('template.yes', lang)}, {text('template.no', lang)}"
    return text(f"template.{kind}" if kind != "list" else "template.text", lang)


def write_template(path: str | os.PathLike[str], lang: str = "it") -> Path:
    """Write the blank round workbook to ``path`` (an ``.xlsx`` file that must not exist yet).

    Raises
    ------
    FileExistsError
        ``path`` exists: a template never overwrites a file.
    """
    import xlsxwriter

    choice("lang", lang, Lang)
    target = Path(path)
    if target.exists():
        raise FileExistsError(text("cli.exists", lang, path=target))
    if target.suffix.lower() != ".xlsx":
        raise ValueError(text("cli.not_xlsx", lang, path=target))
    lists = text("template.sheet_lists", lang)
    vocabularies = [Mobility, SupportIntensity, Gender, Category, ReferringService, RelationshipKind, Role, SiteKind,
                    Skill, Slot, Accommodation, LivedExperience, Language]  # fmt: skip
    list_headers = {v.__name__: text(f"template.list.{v.__name__}", lang) for v in vocabularies}
    with atomic_file(target) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        bold = book.add_format({"bold": True, "bg_color": "#E8EEF6", "text_wrap": True, "valign": "top"})
        light = book.add_format({"bg_color": "#F4F6FA", "text_wrap": True, "valign": "top"})
        example = book.add_format({"italic": True, "font_color": "#555555"})
        date = book.add_format({"italic": True, "font_color": "#555555", "num_format": "yyyy-mm-dd"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        title = book.add_format({"bold": True, "font_size": 14})

        guide = book.add_worksheet(text("template.sheet_instructions", lang))
        sheets = {t: book.add_worksheet(sheet_name(t, lang)) for t in TABLES}
        words_sheet = book.add_worksheet(lists)

        # the lists: one column per vocabulary, its words in this language
        ranges: dict[str, str] = {}
        for j, vocabulary in enumerate([*vocabularies, bool]):
            if vocabulary is bool:
                header, words = (
                    text("template.list.bool", lang),
                    [text("template.yes", lang), text("template.no", lang)],
                )
            else:
                header, words = list_headers[vocabulary.__name__], _words(vocabulary, lang)
            words_sheet.write_string(0, j, header, bold)
            for i, word in enumerate(words, start=1):
                words_sheet.write_string(i, j, word)
            words_sheet.set_column(j, j, max(14, min(40, max(len(w) for w in words) + 2)))
            col = xlsxwriter.utility.xl_col_to_name(j)
            ranges["bool" if vocabulary is bool else vocabulary.__name__] = (
                f"='{lists}'!${col}$2:${col}${len(words) + 1}"
            )
        words_sheet.freeze_panes(1, 0)

        # instructions
        guide.set_column(0, 0, 22)
        guide.set_column(1, 1, 26)
        guide.set_column(2, 2, 12)
        guide.set_column(3, 3, 60)
        guide.set_column(4, 4, 60)
        guide.write_string(0, 0, text("template.title", lang), title)
        row = 2
        for key in ("intro", "lists", "places", "codes", "sensitive", "check"):
            guide.merge_range(row, 0, row, 4, text(f"template.{key}", lang, lists=lists), wrap)
            guide.set_row(row, 48)
            row += 1
        row += 1
        for j, key in enumerate(("col_sheet", "col_header", "col_required", "col_meaning", "col_values")):
            guide.write_string(row, j, text(f"template.{key}", lang), bold)
        guide.freeze_panes(row + 1, 0)
        row += 1

        for table in TABLES:
            sheet = sheets[table]
            heads, codes = columns(table, lang), columns(table)
            required = _required(table)
            secret = sensitive_fields(PROFILE_TYPES[table]) if table in PROFILE_TYPES else frozenset()
            for j, (head, code) in enumerate(zip(heads, codes, strict=True)):
                sheet.write_string(0, j, head, bold if code in required else light)
                sheet.set_column(j, j, max(12, min(36, len(head) + 4)))
                if table == "round":
                    continue
                meaning = _meaning(table, code, lang)
                values = _values(table, code, lang, lists, list_headers)
                confidential = f" ({text('template.confidential', lang)})" if code in secret else ""
                sheet.write_comment(0, j, f"{meaning}{confidential}\n{values}", {"x_scale": 2.2, "y_scale": 1.6})
                flag = text("template.yes", lang) if code in required else ""
                for k, cell in enumerate((sheet_name(table, lang), head, flag, meaning + confidential, values)):
                    guide.write_string(row, k, cell, wrap)
                row += 1
                kind = _kind(table, code)
                words_of = _vocabulary(table, code)
                source = (
                    ranges.get("bool")
                    if kind == "bool"
                    else ranges.get(words_of.__name__)
                    if words_of and kind == "one"
                    else None
                )
                if source:
                    sheet.data_validation(
                        1, j, ROWS, j,
                        {
                            "validate": "list",
                            "source": source,
                            "error_title": text("template.dropdown_error", lang),
                            "error_message": text("template.dropdown_message", lang),
                        },
                    )  # fmt: skip
                elif kind in ("many", "levels"):
                    sheet.data_validation(
                        1, j, ROWS, j,
                        {"validate": "any", "input_title": head[:32], "input_message": values[:255]},
                    )  # fmt: skip
            sheet.freeze_panes(1, 0)
            if table == "round":
                name = text(_ROUND_EXAMPLE["name"], lang)  # type: ignore[arg-type]
                sheet.write_string(1, 0, "name")
                sheet.write_string(1, 1, name, example)
                sheet.write_comment(1, 0, text("round_key.name", lang))
                sheet.write_string(2, 0, "date")
                sheet.write_datetime(2, 1, dt.datetime.combine(_ROUND_EXAMPLE["date"], dt.time()), date)  # type: ignore[arg-type]
                sheet.write_comment(2, 0, text("round_key.date", lang))
                continue
            for j, code in enumerate(codes):
                value = _cell(table, code, EXAMPLES[table].get(code), lang)
                if isinstance(value, dt.date):
                    sheet.write_datetime(1, j, dt.datetime.combine(value, dt.time()), date)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(1, j, value, example)
                elif value is not None:
                    sheet.write_string(1, j, str(value), example)
        book.close()
    return target


def _required(table: str) -> set[str]:
    if table == "round":
        return {"key", "value"}
    model = PROFILE_TYPES[table]
    out = {name for name, info in model.model_fields.items() if info.is_required()}
    if "location" in out:
        out |= {"municipality"}
    if table == "positions":
        out |= {"site_id"}
    return out
