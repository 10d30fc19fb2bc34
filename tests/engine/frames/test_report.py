"""The test report a frame carries: throttled while playing, never stale once paused (a paused
page shows it beside the accuracy of the same weights)."""
from engine.frames.report import REFRESH_S, report_and_warnings
from trainkit import trained


def test_a_paused_sessions_report_is_measured_with_its_weights_a_playing_ones_may_wait():
    s = trained({"data": {"dataset": "iris"}, "training": {"learning_rate": 0.03}}, 1)
    now = 100.0
    first, _ = report_and_warnings(s, clock=lambda: now)
    for _ in range(30):
        s.train_epoch()
    s.refresh()
    s.status = "playing"
    assert report_and_warnings(s, clock=lambda: now + REFRESH_S / 2)[0] == first   # throttled
    s.status = "paused"
    fresh, _ = report_and_warnings(s, clock=lambda: now + REFRESH_S / 2)
    wrong = round((1 - s.metrics["test_accuracy"]) * len(s.splits["test"]))
    assert fresh != first and fresh["wrong"] == wrong
