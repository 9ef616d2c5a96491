"""Team-mode tests need a real redis-server; they skip only when the binary is absent."""

import pytest

from beatboard.team_processes import REDIS, RedisProcess, WorkerProcess  # noqa: F401

needs_redis = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (apt-get install redis-server; "
                                 ".ci/system-packages.sh does it)")
