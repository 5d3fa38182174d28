"""The one table of texts: complete in both languages, with the same placeholders in each."""

from __future__ import annotations

import string

import pytest

from matchwork.i18n import LANGS, TEXTS, both, text
from matchwork.scoring.features import BUILTIN
from matchwork.scoring.rules import RULE_BY_CODE


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_exists_in_every_language_with_the_same_placeholders(key: str) -> None:
    values = TEXTS[key]
    assert len(values) == len(LANGS) and all(v.strip() for v in values)
    assert len({frozenset(_fields(v)) for v in values}) == 1, f"{key}: placeholders differ between languages"


def test_every_rule_and_feature_speaks_both_languages() -> None:
    for code, rule in RULE_BY_CODE.items():
        assert rule.text == both(f"rule.{code}")
    for (stage, name), feature in BUILTIN.items():
        assert feature.text == both(f"feature.{stage}.{name}")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        text("rule.min_skill", "fr")
