"""Where results are written: each command rewrites only its own block."""

from bench import report as ev


def test_update_results_md_replaces_only_its_block(tmp_path):
    path = str(tmp_path / "RESULTS.md")
    ev.update_results_md("eval", "first eval", path)
    ev.update_results_md("bench", "first bench", path)
    ev.update_results_md("eval", "second eval", path)
    text = open(path, encoding="utf-8").read()
    assert "second eval" in text and "first bench" in text and "first eval" not in text


def test_the_docs_copy_is_replaced_only_on_pages_with_markers(tmp_path, monkeypatch):
    bench_dir = tmp_path / "bench"
    bench_dir.mkdir()
    results = str(bench_dir / "RESULTS.md")
    monkeypatch.setattr(ev, "BENCH_DIR", str(bench_dir))
    monkeypatch.setattr(ev, "RESULTS_MD", results)
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "benchmarks.md"
    page.write_text("# x\n<!-- bench:start -->\nold table\n<!-- bench:end -->\ntail\n", encoding="utf-8")
    other = tmp_path / "docs" / "cli.md"
    other.write_text("# cli\n", encoding="utf-8")
    ev.update_results_md("bench", "new table", results)
    ev.update_results_md("eval", "eval table", results)
    text = page.read_text(encoding="utf-8")
    assert "new table" in text and "old table" not in text and text.endswith("tail\n")
    assert "eval table" not in text and "<!-- eval:start -->" not in text
    assert other.read_text(encoding="utf-8") == "# cli\n"
    assert "eval table" in open(results, encoding="utf-8").read()
