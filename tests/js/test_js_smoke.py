"""The AWS SDK for JavaScript v3 works against podstack unmodified (tests/js/smoke.mjs)."""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from conftest import server  # noqa: E402,F401  (the fixture)


def test_js_sdk_v3_smoke(server):
    assert shutil.which("node"), "node is missing: tools/bootstrap.sh installs it"
    if not os.path.isdir(os.path.join(HERE, "node_modules")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True, timeout=600)
    r = subprocess.run(["node", "smoke.mjs"], cwd=HERE, env={**os.environ, "PODSTACK_ENDPOINT": server.endpoint},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "js smoke: ok" in r.stdout
    # What the JS client wrote survives a kill -9 like everything else.
    before = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == before
