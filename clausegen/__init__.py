"""clausegen: draft and check service-interruption and compensation clauses (zh/en)."""

__version__ = "0.1.0"

__all__ = ["__version__", "load_spec", "validate", "render", "check"]


def __getattr__(name: str):
    # Keep `import clausegen` light: the heavy parts load only when asked for.
    if name in ("load_spec", "validate"):
        from clausegen import spec

        return getattr(spec, name)
    if name == "render":
        from clausegen.render import render

        return render
    if name == "check":
        from clausegen.check import check

        return check
    raise AttributeError(f"module 'clausegen' has no attribute {name!r}")
