"""The OpenAPI emitter: the REST contract of an IR as one OpenAPI 3.1 document.

    from fastbackend_openapi import emit, merge, to_yaml
    document = emit(ir)                         # the generated routes, from the IR alone
    served = merge(document, fastapi_fragment)  # plus custom routes and overrides

The FastAPI runtime serves exactly ``merge(emit(ir), its own routes)`` at /openapi.json.
"""

from fastbackend_openapi.document import emit
from fastbackend_openapi.merge import MergeConflict, merge
from fastbackend_openapi.parameters import Limits
from fastbackend_openapi.render import to_json, to_yaml

__all__ = ["Limits", "MergeConflict", "emit", "merge", "to_json", "to_yaml"]
