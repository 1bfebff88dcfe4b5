"""Site adapters, registered by name. Adding a site family is one module plus one import here."""

from ingest.adapters import (  # noqa: F401  (imported for registration)
    generic,
    helsenorge,
    knowledge,
    kommune,
    lovdata,
    nav,
    statped,
    udir,
)
from ingest.adapters.base import (
    Adapter,
    CollectContext,
    Collector,
    ExtractionError,
    adapter_names,
    get_adapter,
    register,
)

__all__ = ["Adapter", "CollectContext", "Collector", "ExtractionError", "adapter_names", "get_adapter", "register"]
