"""``python -m medrecon.kinds_docs [docs/judging.md]``: rewrite the generated tables of the
judging documentation from the kind registry and the severities in ``rules/``."""

from __future__ import annotations

import sys
from pathlib import Path

from medrecon.engine.clinical_rules import Rules
from medrecon.kinds import generated_blocks, with_generated_blocks

DEFAULT_DOC = Path(__file__).resolve().parent.parent / "docs" / "judging.md"


def current_blocks() -> dict[str, str]:
    rules = Rules.load()
    return generated_blocks(rules.severity, rules.severity_as_needed, rules.severity_situation)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_DOC
    text = path.read_text(encoding="utf-8")
    path.write_text(with_generated_blocks(text, current_blocks()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
