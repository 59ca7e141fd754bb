"""PostgreSQL's defaults for sequence options, by type.

Used by the loader to complete options the YAML leaves out (so a desired identity column reads
exactly as the catalog will show it), and by export to leave them out again.
"""

from __future__ import annotations

from reconciler.model.objects import SequenceOptions

TYPE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
_ALIASES = {"int2": "smallint", "int4": "integer", "int": "integer", "int8": "bigint"}


def sequence_defaults(type_name: str, increment: int | None) -> SequenceOptions:
    """What CREATE SEQUENCE AS <type> chooses for every option it is not given."""
    top = TYPE_MAX.get(_ALIASES.get(type_name, type_name), TYPE_MAX["bigint"])
    step = increment if increment is not None else 1
    if step > 0:
        return SequenceOptions(start=1, increment=step, min_value=1, max_value=top, cache=1)
    return SequenceOptions(start=-1, increment=step, min_value=-top - 1, max_value=-1, cache=1)


def completed(options: SequenceOptions, type_name: str) -> SequenceOptions:
    """`options` with PostgreSQL's default in every unset field (start follows min/max)."""
    defaults = sequence_defaults(type_name, options.increment)
    minimum = options.min_value if options.min_value is not None else defaults.min_value
    maximum = options.max_value if options.max_value is not None else defaults.max_value
    ascending = (defaults.increment or 1) > 0
    start = options.start if options.start is not None else (minimum if ascending else maximum)
    return SequenceOptions(
        start=start,
        increment=defaults.increment,
        min_value=minimum,
        max_value=maximum,
        cache=options.cache if options.cache is not None else defaults.cache,
        cycle=options.cycle,
    )
