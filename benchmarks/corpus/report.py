"""Printing the corpus scores: figures first, then every disagreement."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from benchmarks.corpus.dosing import score_dosing
from benchmarks.corpus.products import score_products
from benchmarks.corpus.recon import score_recon

DOSING_TARGET = 0.97


def print_corpus(corpus: Path) -> bool:
    """Print the three corpus scores; True when every target is met."""
    print(f"\nDevelopment corpus ({corpus}):")
    dosing = score_dosing(corpus)
    read_ok = dosing.share(dosing.correct)
    print(
        f"\nDosing texts: {dosing.total}; read correctly {dosing.correct} ({read_ok:.1%}), "
        f"not read {len(dosing.not_read)} ({dosing.share(len(dosing.not_read)):.1%}), "
        f"read wrongly {len(dosing.wrong)} ({dosing.share(len(dosing.wrong)):.1%})"
    )
    for kind, text, why in dosing.wrong:
        print(f"  READ WRONGLY [{kind}] {text!r}: {', '.join(why)}")
    for kind, text in dosing.not_read:
        print(f"  not read [{kind}] {text!r}")
    products = score_products(corpus)
    share = products.correct / products.total if products.total else 0.0
    print(f"\nProduct texts: {products.total}; resolved correctly {products.correct} ({share:.1%})")
    for text, why in products.wrong:
        print(f"  {text!r}: {', '.join(why)}")
    recon = score_recon(corpus)
    print("\nReconciliation pair (recon/): precision and recall per kind")
    with pl.Config(tbl_rows=30, float_precision=3, tbl_hide_dataframe_shape=True):
        print(pl.DataFrame(recon.rows))
    for key in recon.missed:
        print(f"  MISSED {key}")
    for key, explanation in recon.unexpected:
        print(f"  UNEXPECTED {key}: {explanation}")
    for key, got, want in recon.severity_wrong:
        print(f"  SEVERITY {key}: {got}, labelled {want}")
    for file, line in recon.rejected_missed:
        print(f"  rejected row not reported: {file}:{line}")
    for file, line in recon.rejected_unexpected:
        print(f"  rejected row not labelled: {file}:{line}")
    on_target = (
        read_ok >= DOSING_TARGET
        and not dosing.wrong
        and products.correct == products.total
        and recon.on_target
    )
    print("\nCorpus: all targets met." if on_target else "\nCorpus: below target.")
    return on_target
