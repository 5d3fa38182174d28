from __future__ import annotations

from tools_loader import ROOT, load_tool


def test_profile_pages_are_generated_from_the_current_schema() -> None:
    gen = load_tool("gen_profile_docs")
    assert gen.main(check=True) == 0
    text = (ROOT / "docs" / "profiles" / "candidates.md").read_text(encoding="utf-8")
    assert "categoria L. 381/91" in text
    assert "sensitive" in text


def test_scoring_page_names_every_rule_and_feature() -> None:
    from matchwork.scoring.features import BUILTIN as FEATURES
    from matchwork.scoring.rules import RULE_BY_CODE

    text = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    for code in RULE_BY_CODE:
        assert f"`{code}`" in text, code
    for _, name in FEATURES:
        assert f"`{name}`" in text, name


def test_explanations_page_shows_what_the_library_says_now() -> None:
    gen = load_tool("gen_explanation_docs")
    page = (ROOT / "docs" / "explanations.md").read_text(encoding="utf-8")
    assert page == gen.page(), "docs/explanations.md is stale: run python tools/gen_explanation_docs.py"
    assert "Perché" in page and "Why" in page and "not matched" in page
