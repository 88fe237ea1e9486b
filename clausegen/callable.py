"""Callable packages: `clausegen.render` and `clausegen.check` are packages that can be called.

Calling one calls its public function (the API, docs/api.md); its submodules stay reachable as
attributes (`clausegen.render.render_file`). So `import clausegen.render` and
`from clausegen import render` give the same object whichever way it is used.
"""

from __future__ import annotations

import sys
import types


class CallableModule(types.ModuleType):
    """A module whose `__api__` function is called when the module is."""

    def __call__(self, *args, **kwargs):
        return self.__api__(*args, **kwargs)


def make_callable(module_name: str, function) -> None:
    """Make the loaded module `module_name` callable, calling `function`."""
    module = sys.modules[module_name]
    module.__api__ = function
    module.__class__ = CallableModule
