"""``python -m tfa_mock``: the same command line as ``tfa-mock`` (see :mod:`.cli`)."""

from __future__ import annotations

from ._entry import main

raise SystemExit(main())
