import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from podstack_server import PodstackServer  # noqa: E402


@pytest.fixture
def server(tmp_path):
    """A persistent podstack on a free port with its own DATA_DIR; stopped after the test."""
    s = PodstackServer(tmp_path / "data").start()
    yield s
    s.stop()


@pytest.fixture
def sqs(server):
    """A boto3 SQS client of `server` (the query protocol with Debian's boto3)."""
    return server.client("sqs")


@pytest.fixture
def restart_check(server):
    """Call with a function that reads state; it is called before and after a
    graceful restart and after a kill -9, and the answers and the state hash must match."""
    def check(read):
        before, h = read(), server.state_hash()
        server.restart()
        assert read() == before
        assert server.state_hash() == h
        server.crash_restart()
        assert read() == before
        assert server.state_hash() == h
        return before
    return check


# Clients of `server` used by several files (a module may define its own,
# e.g. over a module-scoped server).
@pytest.fixture
def s3(server):
    return server.client("s3")


@pytest.fixture
def sns(server):
    return server.client("sns")


@pytest.fixture
def ses(server):
    return server.client("ses")


@pytest.fixture
def sesv2(server):
    return server.client("sesv2")


@pytest.fixture
def ddb(server):
    return server.client("dynamodb")
