"""Property tests are seeded: the same examples on every run (``make test``, CI, mutation
runs), and no example database carried from one run to the next. ``make fuzz`` runs them
with fresh randomness (HYPOTHESIS_PROFILE=fuzz; 20,000 examples where a test sets no count)."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("fuzz", derandomize=False, max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
