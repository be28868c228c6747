"""The Widgets section of ``make eval`` counts what repair removes from whole articles."""

from bench.eval import widgets as evw


def test_a_widget_is_caught_and_a_look_alike_is_kept():
    widgets = [{"language": "en", "kind": "page label", "line": "Live TV"},
               {"language": "de", "kind": "video player", "line": "Bitte Video ansehen"}]
    content = [{"language": "en", "line": "Live TV coverage of the final drew 4 million viewers."}]
    rows, report = evw._measure(widgets, content, "")
    assert report["caught"] == {"page label": 1}
    assert report["missed"] == ["Bitte Video ansehen"]
    assert report["content_lost"] == []
    assert rows[-1].result == "1 of 1"
