"""Normalization: let PostgreSQL spell the desired model (render it into a scratch database and
read it back), so desired and live compare in one spelling.

The public API is `normalizer`'s; `scratch` makes the scratch databases (plan replay uses them).
"""

from reconciler.normalize.normalizer import (
    already_normalized,
    desired_scope,
    normalize,
    normalized_catalog,
    with_hints,
)

__all__ = ["already_normalized", "desired_scope", "normalize", "normalized_catalog", "with_hints"]
