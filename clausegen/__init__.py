"""clausegen: draft and check service-interruption and compensation clauses (zh/en).

The public API (docs/api.md): `validate`, `render`, `check` and `load_spec`. `import clausegen`
stays light: each function imports what it needs when called.
"""

from clausegen.api import check, render, validate

__version__ = "0.1.0"

__all__ = ["__version__", "load_spec", "validate", "render", "check"]


def load_spec(path, lang: str | None = None):
    """Load and validate the spec at `path` and return the `Spec` (see clausegen.spec.load_spec).

    Raises SpecError when the file cannot be read, InvalidSpec (with every problem) when it is not valid.
    """
    from clausegen.spec import load_spec as load

    return load(path, lang)
