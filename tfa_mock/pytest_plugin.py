"""pytest plugin of tfa_mock (entry point ``pytest11``): the ``tfa_mock`` fixtures.

Not yet built: the fixtures land with the harness issue.
"""
