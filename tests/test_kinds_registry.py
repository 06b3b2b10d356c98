"""The kind registry is the one source of kinds: labels, severities, docs and judging
all follow it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from medrecon.engine import judging
from medrecon.kinds import KIND_LABEL, KINDS, MECHANISMS, PAIR_KINDS, with_generated_blocks
from medrecon.kinds_docs import DEFAULT_DOC, current_blocks
from medrecon.labels import KIND_LABEL as FACE_LABEL
from medrecon.schema import KINDS as SCHEMA_KINDS

ROOT = Path(__file__).resolve().parents[1]


def test_docs_tables_are_the_registrys() -> None:
    text = DEFAULT_DOC.read_text(encoding="utf-8")
    assert with_generated_blocks(text, current_blocks()) == text, (
        "docs/judging.md disagrees with medrecon/kinds.py or rules/severities.toml: "
        "run `python -m medrecon.kinds_docs`"
    )


def test_a_changed_label_makes_the_docs_check_fail() -> None:
    text = DEFAULT_DOC.read_text(encoding="utf-8")
    blocks = current_blocks()
    blocks["kinds"] = blocks["kinds"].replace("Olika dos", "Annan dos")
    assert with_generated_blocks(text, blocks) != text


def test_every_face_reads_the_registry() -> None:
    assert FACE_LABEL is KIND_LABEL
    assert SCHEMA_KINDS == KINDS
    assert len(set(KINDS)) == len(KINDS) == 14


def test_every_pair_kind_has_exactly_one_rule() -> None:
    assert sorted(judging.PAIR_RULE_KINDS) == sorted(PAIR_KINDS)


def test_every_mechanism_is_a_declared_tier() -> None:
    from medrecon.engine.pairing import PAIRING_STEPS

    assert {step.mechanism for step in PAIRING_STEPS} == set(MECHANISMS)


def test_the_engine_imports_no_textual() -> None:
    code = "import sys, medrecon.engine; print(any(m.startswith('textual') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
