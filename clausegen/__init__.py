"""clausegen: draft and check service-interruption and compensation clauses (zh/en).

The public API (docs/api.md): `validate`, `render`, `check` and `load_spec`. `import clausegen`
stays light: each function imports what it needs when called.
"""

from clausegen.api import validate

__version__ = "0.1.0"

__all__ = ["__version__", "load_spec", "validate", "render", "check"]


def load_spec(path, lang: str | None = None):
    """Load and validate the spec at `path` and return the `Spec` (see clausegen.spec.load_spec).

    Raises SpecError when the file cannot be read, InvalidSpec (with every problem) when it is not valid.
    """
    from clausegen.spec import load_spec as load

    return load(path, lang)


def __getattr__(name: str):
    # `clausegen.render` and `clausegen.check` are the packages of those names, made callable:
    # calling one calls the API function (clausegen.api.render / .check). Loaded on first use.
    if name in ("render", "check"):
        import importlib

        return importlib.import_module(f"clausegen.{name}")
    raise AttributeError(f"module 'clausegen' has no attribute {name!r}")
