"""Tests of Example Bank against the tfa mock (the ``tfa_mock`` pytest fixture)."""
