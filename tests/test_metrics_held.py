"""Metrics held in memory by a batch chunk: written at its flushes, summed, none lost or counted twice."""

from __future__ import annotations

from storage.metrics import count, held, observe, read_samples


def _values(redis) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for s in read_samples(redis)}


def test_held_samples_are_written_at_the_flush_and_at_the_end(redis):
    with held(redis) as holder:
        for _ in range(40):
            observe(redis, "render_seconds", 0.004)
        count(redis, "batch_items", 40, status="finished")
        assert read_samples(redis) == []  # nothing written per document
        holder.flush()
        after_flush = _values(redis)
        assert after_flush[("render_seconds_count", ())] == 40
        assert after_flush[("render_seconds_bucket", (("le", "0.05"),))] == 40
        assert abs(after_flush[("render_seconds_sum", ())] - 0.16) < 1e-9
        assert after_flush[("batch_items", (("status", "finished"),))] == 40
        observe(redis, "render_seconds", 3.0)
        count(redis, "batch_items", 1, status="failed")
        holder.flush()
        holder.flush()  # nothing new: nothing added twice
        assert _values(redis)[("render_seconds_count", ())] == 41
        observe(redis, "render_seconds", 0.2)
    values = _values(redis)  # the end of the block writes what is left
    assert values[("render_seconds_count", ())] == 42
    assert values[("render_seconds_bucket", (("le", "5"),))] == 1
    assert values[("render_seconds_bucket", (("le", "0.25"),))] == 1
    assert values[("batch_items", (("status", "failed"),))] == 1
    count(redis, "batch_items", 1, status="failed")  # outside the block: written at once
    assert _values(redis)[("batch_items", (("status", "failed"),))] == 2
