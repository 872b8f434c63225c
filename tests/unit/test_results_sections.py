"""benchmarks/RESULTS.md sections: `make soak` writes its own, `make bench` keeps it."""

from __future__ import annotations

from pathlib import Path

from benchmarks import sections


def test_a_section_is_appended_then_replaced_in_place(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n| a | b |\n")
    sections.replace(results, "soak", ["## Soak", "first"])
    sections.replace(results, "other", ["## Other"])
    sections.replace(results, "soak", ["## Soak", "second"])
    text = results.read_text()
    assert text.startswith("# Benchmark results\n\n| a | b |\n\n<!-- begin soak -->\n## Soak\nsecond\n")
    assert "first" not in text
    assert text.index("begin soak") < text.index("begin other")


def test_read_all_returns_the_blocks_for_a_rewrite_to_keep(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    assert sections.read_all(results) == []
    sections.replace(results, "soak", ["## Soak", "| payments | 500 |"])
    assert sections.read_all(results) == [
        "<!-- begin soak -->\n## Soak\n| payments | 500 |\n<!-- end soak -->\n"
    ]
