from pathlib import Path

import pytest
from typer.testing import CliRunner

from eti.cli import app
from ingest.adapters import adapter_names
from ingest.sources import SourcesError, load_sources

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sources.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_sources_file_is_valid_and_covers_every_sector():
    sources = load_sources(ROOT / "sources.yaml", adapter_names())
    ids = {s.id for s in sources}
    assert {"knowledge", "nav", "helsenorge", "udir", "statped", "helsedirektoratet", "flekkefjord", "lovdata"} <= ids
    assert {s.sector.value for s in sources} == {"health", "welfare", "education", "municipal", "legal"}
    municipal = [s for s in sources if s.sector.value == "municipal"]
    assert len(municipal) >= 3 and any(s.language == "nn" for s in municipal)
    assert next(s for s in sources if s.id == "flekkefjord").municipality == "4207"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sources:\n  - {id: nav, name: N, sector: wellfare, start_urls: [http://x/]}", "sources[0] (id=nav).sector"),
        ("sources:\n  - {id: Nav!, name: N, sector: welfare, start_urls: [http://x/]}", "sources[0] (id=Nav!).id"),
        ("sources:\n  - {id: nav, name: N, sector: welfare}", "needs start_urls, sitemap, path or archive"),
        ("sources:\n  - {id: nav, name: N, sector: welfare, start_urls: [http://x/], allow: ['(']}", "invalid regular expression"),
        ("sources:\n  - {id: nav, name: N, sector: welfare, start_urls: [http://x/], rate_limit: 0}", "rate_limit"),
        ("sources:\n  - {id: nav, name: N, sector: welfare, start_urls: [http://x/], recrawl: weekly}", "recrawl"),
        ("sources:\n  - {id: nav, name: N, sector: welfare, start_urls: [http://x/], colour: red}", "colour"),
        ("sources:\n  - {id: a, name: A, sector: health, start_urls: [http://x/]}\n  - {id: a, name: B, sector: health, start_urls: [http://y/]}", "duplicate source id 'a'"),
        ("sources: [unclosed", "not valid YAML"),
        ("- just a list", "expected a mapping"),
    ],
)
def test_bad_sources_file_gets_a_clear_error_naming_the_field(tmp_path, body, expected):
    with pytest.raises(SourcesError) as err:
        load_sources(write(tmp_path, body), adapter_names())
    assert expected in str(err.value)
    assert str(tmp_path) in str(err.value)


def test_unknown_adapter_is_named_with_the_registered_ones(tmp_path):
    path = write(tmp_path, "sources:\n  - {id: x, name: X, sector: health, adapter: nope, start_urls: [http://x/]}")
    with pytest.raises(SourcesError, match=r"sources\[0\] \(id=x\)\.adapter: unknown adapter 'nope'.*generic"):
        load_sources(path, adapter_names())


def test_cli_refuses_a_bad_sources_file_with_exit_code_2(tmp_path):
    path = write(tmp_path, "sources:\n  - {id: nav, name: N, sector: wellfare, start_urls: [http://x/]}")
    result = CliRunner().invoke(app, ["crawl", "--sources", str(path), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "sector" in result.output
    assert not (tmp_path / "d" / "index").exists()
