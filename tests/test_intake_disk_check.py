"""The intake's free-space check reads the disk once a second while space is far above
DOCGEN_MIN_FREE_MB, and on every POST near it: a disk filling up is refused at once near the
minimum, and within about a second from far above. The file system's answer (shutil.disk_usage)
is set by the test, as a disk filling up would change it."""

from __future__ import annotations

import collections
import time

import pytest

from service import capacity
from service.app import create_app
from tests.conftest import example

Usage = collections.namedtuple("Usage", "total used free")
MB = 1024 * 1024


@pytest.fixture
def disk(monkeypatch):
    free = {"mb": 0}
    monkeypatch.setattr(capacity.shutil, "disk_usage", lambda _path: Usage(10**6 * MB, 0, free["mb"] * MB))
    return free


def test_near_the_minimum_every_post_reads_the_disk(settings, disk):
    client = create_app(settings.model_copy(update={"min_free_mb": 1000})).test_client()
    disk["mb"] = 1500  # within DISK_MARGIN_MB of the minimum
    assert client.post("/api/v1/documents", json=example("pk-jpt")).status_code == 202
    disk["mb"] = 900
    refused = client.post("/api/v1/documents", json=example("pk-jpt"))
    assert refused.status_code == 503 and refused.get_json()["reason"] == "disk_full"
    disk["mb"] = 1200
    assert client.post("/api/v1/documents", json=example("pk-jpt")).status_code == 202


def test_far_above_the_minimum_a_full_disk_is_refused_within_about_a_second(settings, disk):
    # the rate limit off: a quiet machine posts past 600 a minute before the second is up
    client = create_app(settings.model_copy(update={"min_free_mb": 1000, "rate_limit_per_minute": 0})).test_client()
    disk["mb"] = 1000 + capacity.DISK_MARGIN_MB + 5000
    assert client.post("/api/v1/documents", json=example("pk-jpt")).status_code == 202
    disk["mb"] = 10
    started = time.monotonic()
    deadline = started + capacity.DISK_FRESH_SECONDS + 10
    while (status := client.post("/api/v1/documents", json=example("pk-jpt")).status_code) == 202:
        assert time.monotonic() < deadline, "a full disk was still accepting"
    assert status == 503
    assert time.monotonic() - started < capacity.DISK_FRESH_SECONDS + 10
