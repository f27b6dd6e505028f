"""The tables the OpenAPI document of the mock is built from, by area.

``OPERATIONS`` maps every Flask endpoint name of the app to its OpenAPI operation
(without path and method, which the routes give); ``PATH_PARAMETERS`` describes
each path parameter by its name in the document. ``tfa_mock.openapi`` joins them
with the routes; a route without an entry, or an entry without a route, is an error
there, so the tables cannot drift from the routes.
"""

from __future__ import annotations

from typing import Any

from ._api import PATH_PARAMETERS as API_PATH_PARAMETERS
from .api import API_OPERATIONS
from .control import CONTROL_OPERATIONS, CONTROL_PATH_PARAMETERS
from .phones import PHONE_OPERATIONS
from .web import WEB_OPERATIONS

__all__ = ["OPERATIONS", "PATH_PARAMETERS"]

OPERATIONS: dict[str, dict[str, Any]] = {
    **API_OPERATIONS,
    **PHONE_OPERATIONS,
    **CONTROL_OPERATIONS,
    **WEB_OPERATIONS,
}
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    **CONTROL_PATH_PARAMETERS,
    **API_PATH_PARAMETERS,
}
