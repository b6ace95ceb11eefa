"""Which public names of a module lack a docstring: the one check the public-API tests share.

``undocumented(module)`` lists every class and function in ``module.__all__`` without a
docstring, and every public method and property of those classes without one, as ``Name`` or
``Name.attr``: a test asserts the list is empty, so a failure names all of them at once.
"""

from __future__ import annotations

import inspect
from types import ModuleType

__all__ = ["undocumented"]


def undocumented(module: ModuleType) -> list[str]:
    """The public classes, functions, methods and properties of ``module`` with no docstring."""
    missing: list[str] = []
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if not inspect.getdoc(obj):
            missing.append(name)
        for attr, member in vars(obj).items():
            is_api = inspect.isfunction(member) or isinstance(member, property)
            if is_api and not attr.startswith("_") and not inspect.getdoc(member):
                missing.append(f"{name}.{attr}")
    return missing
