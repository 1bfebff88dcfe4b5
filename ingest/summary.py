"""The end-of-run summary: per source and per sector, printed with rich."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from ingest.stats import SourceStats


def print_summary(console: Console, stats: list[SourceStats], publish=None) -> None:
    table = Table(title="Ingest summary", show_lines=False)
    for col in ("source", "sector", "fetched", "unchanged", "failed", "skipped", "chunks +", "chunks -", "pages -"):
        table.add_column(col, justify="left" if col in ("source", "sector") else "right")
    sectors: dict[str, Counter] = {}
    for s in stats:
        table.add_row(s.source_id, s.sector, str(s.fetched), str(s.unchanged),
                      f"[red]{s.failed}[/red]" if s.failed else "0", str(s.skipped),
                      str(s.chunks_added), str(s.chunks_removed), str(s.pages_removed))
        agg = sectors.setdefault(s.sector, Counter())
        agg.update(fetched=s.fetched, unchanged=s.unchanged, failed=s.failed, added=s.chunks_added,
                   removed=s.chunks_removed)
    for sector, agg in sorted(sectors.items()):
        table.add_row(f"[bold]{sector} (sector)[/bold]", "", str(agg["fetched"]), str(agg["unchanged"]),
                      str(agg["failed"]), "", str(agg["added"]), str(agg["removed"]), "", style="dim")
    console.print(table)
    for s in stats:
        if s.not_requested or s.duplicates:
            console.print(f"  {s.source_id}: {s.not_requested} unchanged by sitemap lastmod (not requested), "
                          f"{s.duplicates} duplicates stored once, {s.paragraphs_shared} shared paragraphs left out")
        if s.error:
            console.print(f"[red]{s.source_id}: source failed: {s.error}[/red] (indexed data kept)")
        for reason, n in s.failures.most_common(5):
            console.print(f"  {s.source_id}: {n} x {reason}")
    if publish is not None:
        console.print(
            f"Index {publish.version}: {publish.total} chunks; {publish.upserted} upserted "
            f"({publish.embedded} embedded, the rest from the cache), {publish.removed} removed, "
            f"{publish.seconds:.1f}s."
        )
