"""Settings shared by every test package."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Hypothesis' per-example deadline measures wall time, which on a loaded two-core
# CI machine says more about the machine than the code: no deadlines, and no
# health check on slow data generation. Example counts stay as each test sets them.
settings.register_profile(
    "tfa", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("tfa")
