from bench.memory_growth import GrowthConfig, targets


def report(peaks: dict, codes: dict | None = None) -> dict:
    codes = codes or {}
    return {"sizes": {size: {"peak_rss_mb": peak, "returncode": codes.get(size, 0)}
                      for size, peak in peaks.items()}}


def test_flat_memory_under_a_gigabyte_meets_every_target():
    config = GrowthConfig(sizes=(20_000, 100_000), largest=200_000)
    figures = report({20_000: 600.0, 100_000: 700.0, 200_000: 720.0})
    figures["two_workers"] = {"size": 20_000, "speedup": 1.9, "returncode": 0}
    found = targets(figures, config)
    assert [t["met"] for t in found] == [True, True, True, True]
    assert found[0]["measured"] == 1.17


def test_growth_a_large_peak_and_a_failed_run_are_each_missed():
    config = GrowthConfig(sizes=(20_000, 100_000), largest=200_000)
    figures = report({20_000: 1336.0, 100_000: 4646.0, 200_000: 0.0}, {200_000: -9})
    figures["two_workers"] = {"size": 20_000, "speedup": 1.35, "returncode": 0}
    found = targets(figures, config)
    assert [t["met"] for t in found] == [False, False, False, False]
    assert found[0]["measured"] == 3.48
