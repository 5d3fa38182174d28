"""Italian first: plurals and agreement, vocabulary words, Italian headers, typed frames for notebooks."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import matchwork as mw
from matchwork.i18n import LANGS, TEXTS, gendered, plural, text
from matchwork.io import tables
from matchwork.model import vocab
from matchwork.model.profiles import PROFILE_TYPES, Location

VOCABULARIES = [
    vocab.Slot,
    vocab.Skill,
    vocab.Accommodation,
    vocab.LivedExperience,
    vocab.Category,
    vocab.ReferringService,
    vocab.SupportIntensity,
    vocab.RelationshipKind,
    vocab.Gender,
    vocab.Mobility,
    vocab.SiteKind,
    vocab.Role,
    vocab.Language,
]


@pytest.mark.parametrize(
    ("n", "it", "en"), [(0, "0 persone", "0 people"), (1, "1 persona", "1 person"), (2, "2 persone", "2 people")]
)
def test_plural_follows_the_count(n: int, it: str, en: str) -> None:
    assert (plural("count.people", n), plural("count.people", n, "en")) == (it, en)


def test_agreement_comes_from_the_stated_gender_and_is_neutral_otherwise() -> None:
    assert [gendered("status.matched", g) for g in ("f", "m", "x", None, vocab.Gender.F)] == [
        "abbinata",
        "abbinato",
        "abbinamento trovato",
        "abbinamento trovato",
        "abbinata",
    ]
    assert gendered("status.unmatched", None, "en") == "not matched"


def test_every_plural_and_gendered_text_is_complete() -> None:
    for key in TEXTS:
        stem, _, form = key.rpartition(".")
        if form == "one":
            assert f"{stem}.other" in TEXTS, key
        if form in ("f", "m") and not key.startswith("label."):  # label.f, label.m: the gender codes
            assert stem in TEXTS and f"{stem}.{'m' if form == 'f' else 'f'}" in TEXTS, key


def test_texts_for_people_name_no_python_api_and_say_tornata_for_a_round() -> None:
    api = ("why_not", "capacity_prices", "MatchResult", "explain(", "_id", "None", "Giro ", "Giri ")
    for key, values in TEXTS.items():
        if key.startswith("field.") or key == "programme.not_a_result":  # column codes; a programmer's mistake
            continue
        for value in values:
            words = re.sub(r"\{[^}]*\}", "", value)  # placeholders are not words people read
            assert not any(name in words for name in api), (key, value)
        assert " turno di abbinamento" not in values[0].lower() and "questo turno" not in values[0], key


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_each_vocabulary_reads_its_italian_and_english_words(vocabulary: type[vocab.Vocabulary]) -> None:
    words: dict[str, vocab.Vocabulary] = {}
    for member in vocabulary:
        for word in (member.value, *TEXTS.get(f"label.{member.value}", ())):
            assert words.setdefault(word.casefold(), member) is member, f"{word!r} means two codes"
            assert vocabulary(word.upper()) is member and vocabulary(f"  {word} ") is member
    with pytest.raises(ValueError):
        vocabulary("certamente no")


def test_a_candidate_written_in_italian_words_validates() -> None:
    c = mw.Candidate(
        id="C1",
        name="Anna",
        area="Mantova",
        location=Location(municipality="Viadana"),
        skills={"pulizie": 2, "Magazzino": 1},
        languages=["italiano", "arabo"],
        availability=["lunedì mattina", "martedì pomeriggio"],
        mobility="mezzi pubblici",
        accommodations=["pause frequenti"],
    )
    assert c.skills == {vocab.Skill.CLEANING: 2, vocab.Skill.WAREHOUSE: 1}
    assert c.languages == {vocab.Language("it"), vocab.Language("ar")}
    assert c.mobility is vocab.Mobility.PUBLIC_TRANSPORT


@pytest.mark.parametrize("table", tables.TABLES)
def test_italian_headers_are_the_schema_terms_parallel_to_the_columns(table: str) -> None:
    it, en = tables.columns(table, "it"), tables.columns(table, "en")
    assert len(it) == len(en) == len(set(it)) and not set(it) & set(en)
    assert tables.columns(table) == en
    model = PROFILE_TYPES.get(table)
    for header, column in zip(it, en, strict=True):
        if model is None or (column == "site_id" and table == "positions"):
            continue
        info = Location.model_fields[column] if column in ("lat", "lon", "municipality") else model.model_fields[column]
        assert header == info.json_schema_extra["it"]  # type: ignore[index]
    assert tables.sheet_name(table) == table and tables.sheet_name(table, "it") == text(f"table.{table}", "it")


@pytest.mark.parametrize("table", [t for t in tables.TABLES if t != "round"])
def test_every_column_is_described_in_both_languages_and_english_is_the_schema(table: str) -> None:
    model = PROFILE_TYPES[table]
    for column in tables.columns(table):
        it, en = TEXTS[f"field.{table}.{column}"]
        if table == "positions" and column == "site_id":
            continue
        info = Location.model_fields[column] if column in ("lat", "lon", "municipality") else model.model_fields[column]
        assert en == info.description and it and it != en


def test_to_frames_has_real_dtypes_and_round_trips() -> None:
    rnd = mw.synth.round(80, seed=4)
    frames = rnd.to_frames()
    assert not any(str(dtype) == "object" for frame in frames.values() for dtype in frame.dtypes)
    sites, cands, guides = frames["sites"], frames["candidates"], frames["guides"]
    assert (str(sites["headcount"].dtype), str(sites["lat"].dtype), str(cands["wants_peer"].dtype)) == (
        "Int64",
        "Float64",
        "boolean",
    )
    assert isinstance(cands["mobility"].dtype, pd.CategoricalDtype)
    assert list(cands["mobility"].cat.categories) == [m.value for m in vocab.Mobility]
    assert str(cands["name"].dtype) == "string" and guides["max_mentees"].isna().any()
    assert cands["lat"].mean() == pytest.approx(sum(c.location.lat for c in rnd.candidates) / 80)
    assert mw.Round.from_frames(frames) == rnd
    assert LANGS == ("it", "en")
