"""``matchwork template``: a blank workbook an office fills in by hand, in Italian, that validates and runs.

The workbook is filled here with openpyxl as a person would fill it in Excel: Italian
sheets and headers, words from the drop-down lists, a comune instead of coordinates,
numbers typed as numbers, ``sì`` and ``no``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import matchwork as mw
from matchwork.cli import EXIT_FAILURE, app
from matchwork.io import tables
from matchwork.io.template import EXAMPLES, write_template
from matchwork.model.vocab import Gender, Mobility, Role, SupportIntensity, label

runner = CliRunner()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "tornata.xlsx"
    result = runner.invoke(app, ["template", str(path)])
    assert result.exit_code == 0, result.output
    assert "Modello scritto" in result.output
    return path


def _frames_as_the_readers_take_them(path: Path, lang: str = "it") -> dict[str, pd.DataFrame]:
    """What the workbook readers do with an Italian workbook (issue 16/17 input half): sheets and headers to
    table and column names, and sì/no to yes/no. Kept here only until ``Round.from_excel`` reads Italian sheets."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=object, keep_default_na=False)
    frames = {}
    for table in tables.TABLES:
        frame = sheets[tables.sheet_name(table, lang)]
        frame = frame.rename(columns=dict(zip(tables.columns(table, lang), tables.columns(table), strict=True)))
        for column in ("wants_peer", "can_lead"):
            if column in frame:
                frame[column] = frame[column].map(lambda v: {"sì": "yes", "no": "no"}.get(v, v))
        frames[table] = frame
    return frames


def _fill(book: openpyxl.Workbook, table: str, rows: list[dict[str, Any]]) -> None:
    """Replace the example with ``rows`` ({Italian header: value}), as someone typing in Excel would."""
    sheet = book[tables.sheet_name(table, "it")]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.delete_rows(2, sheet.max_row)
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=r, column=headers[header], value=value)


TRAINED = {"formazione sulla relazione educativa": "sì"}  # seed 002: every lavoratore guida is trained


def _filled(template: Path, out: Path) -> Path:
    book = openpyxl.load_workbook(template)
    lunedi_venerdi = "; ".join(label(s, "it") for s in ("mon_am", "tue_am", "wed_am", "thu_am", "fri_am"))
    _fill(
        book,
        "candidates",
        [
            {
                "codice": "C01",
                "nome": "Giulia B.",
                "ambito territoriale": "Mantova",
                "comune": "Porto Mantovano",
                "distanza massima": 12.5,
                "mobilità": "mezzi pubblici",
                "competenze": "pulizie:2; magazzino:1",
                "lingue": "italiano; inglese",
                "disponibilità": lunedi_venerdi,
                "accomodamenti": "pause frequenti",
                "intensità del sostegno": "alta",
                "vuole un peer supporter": "sì",
                "esperienza del pari": "salute mentale",
                "categoria L. 381/91": "in trattamento psichiatrico",
                "servizio inviante": "Centro Psico Sociale (DSM)",
            },
            {
                "codice": "C02",
                "nome": "Omar K.",
                "ambito territoriale": "Viadana",
                "comune": "20066",  # Viadana's ISTAT code without its leading zero, as Excel keeps it
                "distanza massima": 30,
                "mobilità": "auto",
                "competenze": "magazzino:2; carrello elevatore:1",
                "lingue": "arabo; italiano",
                "disponibilità": lunedi_venerdi,
                "vuole un peer supporter": "no",
                "genere preferito": "uomo",
            },
            {
                "codice": "C03",
                "nome": "Elena S.",
                "ambito territoriale": "Mantova",
                "comune": "Curtatone",
                "competenze": "pulizie:1",
                "disponibilità": lunedi_venerdi,
            },
        ],
    )
    _fill(
        book,
        "guides",
        [
            {"codice": "G01", "nome": "Bruno T.", "sede": "S01", "competenze": "pulizie:3", "genere": "uomo",
             "può essere referente": "sì", **TRAINED, "anni di esperienza": 8},
            {"codice": "G02", "nome": "Marta L.", "sede": "S01", "genere": "donna",
             "può essere referente": "no", **TRAINED},
            # a squad of two besides the lead: every placement at the cooperative needs three guide workers
            {"codice": "G04", "nome": "Paola R.", "sede": "S01", "genere": "donna",
             "può essere referente": "sì", **TRAINED, "massimo affiancamenti": 2},
            {"codice": "G05", "nome": "Luca D.", "sede": "S01", "genere": "uomo",
             "può essere referente": "no", **TRAINED},
        ],
    )  # fmt: skip
    _fill(
        book,
        "peers",
        [{"codice": "P01", "nome": "Carla M.", "ambiti serviti": "Mantova; Viadana", "comune": "Mantova",
          "genere": "donna", "esperienza vissuta": "salute mentale", "ore settimanali": 6}],
    )  # fmt: skip
    _fill(
        book,
        "sites",
        [
            {"codice": "S01", "ragione sociale": "Cooperativa Il Ponte", "tipo": "cooperativa sociale",
             "settore ATECO": "81.21", "ambito territoriale": "Mantova", "comune": "Mantova", "dipendenti": 25,
             "tutor aziendali": 2, "accomodamenti offerti": "pause frequenti; istruzioni scritte"},
            {"codice": "S02", "ragione sociale": "Logistica Oglio Po", "tipo": "azienda ospitante",
             "settore ATECO": "52.29", "ambito territoriale": "Viadana", "comune": "Viadana", "dipendenti": 40},
        ],
    )  # fmt: skip
    _fill(
        book,
        "positions",
        [
            {"sede": "S01", "codice": "M01", "mansione": "addetta/o pulizie", "competenze utili": "pulizie:2",
             "turni": lunedi_venerdi, "ore settimanali": 20, "posti aperti": 2},
            {"sede": "S02", "codice": "M02", "mansione": "magazziniere", "competenze minime": "magazzino:1",
             "turni": lunedi_venerdi, "ore settimanali": 25.5, "posti aperti": 1},
        ],
    )  # fmt: skip
    # seed 003: at a host company the company tutor and the desk's operator of the person's area accompany the
    # trainee, not lavoratori guida
    _fill(
        book,
        "tutors",
        [
            {
                "codice": "T01",
                "nome": "Franca G.",
                "sede": "S02",
                "lingue": "italiano",
                "genere": "donna",
                "massimo tirocinanti": 2,
            }
        ],
    )
    _fill(
        book,
        "operators",
        [
            {"codice": "OP-MN", "nome": "Davide M.", "ambiti serviti": "Mantova"},
            {
                "codice": "OP-VI",
                "nome": "Irene C.",
                "ambiti serviti": "Viadana",
                "carico massimo": 20,
                "persone in carico": 12,
            },
        ],
    )
    _fill(book, "cooperatives", [])
    _fill(book, "relationships", [{"persona A": "C03", "persona B": "G01", "tipo di relazione": "conflitto"}])
    _fill(book, "pairings", [])
    _fill(book, "pins", [])
    _fill(book, "forbids", [{"candidato": "C02", "partner": "P01", "ruolo": "peer supporter"}])
    _fill(book, "round", [{"chiave": "name", "valore": "Mantova e Viadana, autunno"},
                          {"chiave": "date", "valore": dt.datetime(2026, 10, 5)},
                          {"chiave": "responsabile inserimenti", "valore": "Rita B."}])  # fmt: skip
    book.save(out)
    return out


def test_the_template_is_italian_with_instructions_examples_and_lists(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["istruzioni", *(tables.sheet_name(t, "it") for t in tables.TABLES), "elenchi"]
    for table in tables.TABLES:
        sheet = book[tables.sheet_name(table, "it")]
        assert [c.value for c in sheet[1]] == tables.columns(table, "it")
        assert sheet.freeze_panes == "A2"
        if table != "round":
            assert all(c.comment is not None and c.comment.text for c in sheet[1]), table
            assert sheet.max_row == 2, table  # one example row
    guide = book["istruzioni"]
    listed = {(r[0], r[1]) for r in guide.iter_rows(values_only=True) if r[0] and r[1]}
    for table in tables.TABLES[:-1]:
        for header in tables.columns(table, "it"):
            assert (tables.sheet_name(table, "it"), header) in listed
    words = book["elenchi"]
    columns = {c.value: [x.value for x in words[c.column_letter][1:] if x.value] for c in words[1]}
    assert columns["mobilità"] == [label(m, "it") for m in Mobility]
    assert columns["genere"] == [label(g, "it") for g in Gender] and columns["sì / no"] == ["sì", "no"]


def test_every_single_word_column_has_a_drop_down(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    expected = {
        "candidati": {"mobilità", "intensità del sostegno", "vuole un peer supporter", "genere preferito", "priorità",
                      "categoria L. 381/91", "servizio inviante", "esperienza del pari richiesta"},
        "lavoratori guida": {"genere", "formazione sulla relazione educativa", "può essere referente"},
        "peer supporter": {"genere"},
        "sedi": {"tipo"},
        "tutor aziendali": {"genere"},
        "relazioni": {"tipo di relazione"},
        "abbinamenti in corso": {"ruolo"},
        "abbinamenti imposti": {"ruolo"},
        "abbinamenti esclusi": {"ruolo"},
    }  # fmt: skip
    words = book["elenchi"]
    for name, headers in expected.items():
        sheet = book[name]
        by_column = {c.column_letter: c.value for c in sheet[1]}
        lists = {}
        for rule in sheet.data_validations.dataValidation:
            if rule.type == "list":
                column = str(rule.sqref).split(":")[0].rstrip("0123456789")
                lists[by_column[column]] = rule.formula1
        assert set(lists) == headers, name
        for header, formula in lists.items():
            ref = formula.split("!")[1].replace("$", "")
            offered = [c.value for row in words[ref] for c in row]
            assert offered and all(isinstance(w, str) for w in offered), (name, header)
    role_words = [c.value for row in words[f"G2:G{1 + len(Role)}"] for c in row]
    assert role_words == [label(r, "it") for r in Role]
    assert [label(s, "it") for s in SupportIntensity] == ["bassa", "media", "alta"]


def test_the_examples_form_a_valid_round_that_runs(template: Path) -> None:
    rnd = mw.Round.from_frames(_frames_as_the_readers_take_them(template))
    assert rnd.summary()["candidates"] == 1 and rnd.name == "Tornata di prova"
    assert rnd.candidates[0].location.municipality == EXAMPLES["candidates"]["municipality"]
    assert mw.match(rnd).assignments.status.tolist() == ["matched"]


def test_filled_in_italian_it_validates_and_runs(template: Path, tmp_path: Path) -> None:
    path = _filled(template, tmp_path / "compilata.xlsx")
    rnd = mw.Round.from_frames(_frames_as_the_readers_take_them(path))
    assert rnd.name == "Mantova e Viadana, autunno" and rnd.date == dt.date(2026, 10, 5)
    c02 = next(c for c in rnd.candidates if c.id == "C02")
    assert c02.location.municipality == "Viadana" and c02.mobility is Mobility.CAR
    assert rnd.candidates[0].max_commute_km == 12.5 and rnd.candidates[0].wants_peer
    result = mw.match(rnd)
    asg = result.assignments.set_index("candidate_id")
    assert asg["status"].tolist() == ["matched"] * 3
    # the host company: its own tutor and the Viadana desk's operator, no lead guide or squad
    assert asg.loc["C02", ["site_id", "tutor_id", "operator_id"]].tolist() == ["S02", "T01", "OP-VI"]
    assert asg.loc["C02", "lead_guide_id"] is None and asg.loc["C02", "squad_ids"] == ()
    # the cooperative's team: a lead guide and a squad of two, no tutor or operator
    for cid in ("C01", "C03"):
        assert asg.loc[cid, "site_id"] == "S01" and len(asg.loc[cid, "squad_ids"]) == 2
        assert (
            asg.loc[cid, "lead_guide_id"] and asg.loc[cid, "tutor_id"] is None and asg.loc[cid, "operator_id"] is None
        )
    folder = result.write(tmp_path / "risultati")
    assert (folder / "report.html").read_text(encoding="utf-8").count("Tornata di abbinamento") >= 1
    sheets = pd.read_excel(folder / "assignments.xlsx", sheet_name=None, dtype=object, keep_default_na=False)
    assert sheets["in breve"].iloc[0, 0] == (
        "Abbinamenti in bozza, da approvare da parte di Rita B. (responsabile degli inserimenti)."
    )
    people = sheets["abbinamenti"].set_index("codice persona")
    c02 = people.loc["C02", ["referente", "squadra", "tutor aziendale", "operatore dello sportello"]]
    assert c02.tolist() == ["", "", "Franca G. (T01)", "Irene C. (OP-VI)"]
    assert people.loc["C01", "tutor aziendale"] == people.loc["C01", "operatore dello sportello"] == ""


def test_mistakes_in_a_filled_template_are_located(template: Path, tmp_path: Path) -> None:
    path = _filled(template, tmp_path / "con errori.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["candidati"]
    headers = {c.value: c.column for c in sheet[1]}
    sheet.cell(row=3, column=headers["comune"], value="Viadanna")
    sheet.cell(row=4, column=headers["mobilità"], value="monopattino")
    sheet.cell(row=2, column=headers["lingue"], value="italiano; klingon")
    book["sedi"].cell(row=3, column=8, value="Castro")
    book.save(path)
    with pytest.raises(mw.RoundValidationError) as err:
        mw.Round.from_frames(_frames_as_the_readers_take_them(path))
    where = {(p.table, p.line, p.column): p for p in err.value.problems}
    assert set(where) == {
        ("candidates", 3, "municipality"),
        ("candidates", 4, "mobility"),
        ("candidates", 2, "languages"),
        ("sites", 3, "municipality"),
    }
    assert "Viadana" in where["candidates", 3, "municipality"].expected
    assert "Castro (BG)" in where["sites", 3, "municipality"].expected


def test_the_readers_take_the_filled_workbook_as_it_is(template: Path, tmp_path: Path) -> None:
    """Round.from_excel on the workbook itself: Italian sheets, headers, words and sì/no, as an office fills it."""
    path = _filled(template, tmp_path / "compilata.xlsx")
    rnd = mw.Round.from_excel(path)
    assert rnd == mw.Round.from_frames(_frames_as_the_readers_take_them(path))


def test_the_template_never_overwrites(template: Path) -> None:
    before = template.read_bytes()
    result = runner.invoke(app, ["template", str(template)])
    assert result.exit_code == EXIT_FAILURE and "esiste già" in result.output
    assert template.read_bytes() == before
    with pytest.raises(FileExistsError):
        write_template(template)


def test_an_english_template_takes_english_words(tmp_path: Path) -> None:
    path = write_template(tmp_path / "round.xlsx", "en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["instructions", "candidates"]
    assert [c.value for c in book["candidates"][1]] == tables.columns("candidates")
    rnd = mw.Round.from_excel(path)  # English sheets and headers are the files' own: read as they are
    assert rnd.candidates[0].mobility is Mobility.PUBLIC_TRANSPORT
