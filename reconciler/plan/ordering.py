"""Where each kind of step runs within its phase, and the final order of a plan.

Ranks encode the dependency rules that hold for every plan: schemas and types before the tables
that use them, tables before the foreign keys that point at them, constraints dropped before the
columns they cover, columns before tables, renames of tables first in the contract phase (every
later contract step uses the new names). Steps of equal rank are ordered by id, so a plan is
deterministic; `Step.after` adds the few dependencies ranks cannot express.
"""

from __future__ import annotations

from reconciler.errors import PlanError
from reconciler.plan.steps import Step

# expand
CREATE_SCHEMA = 100
CREATE_EXTENSION = 110
CREATE_ENUM = 120
ADD_ENUM_VALUE = 125
SEQUENCE = 130
CREATE_FUNCTION = 140  # before tables: checks and defaults call functions (bodies checked at run time)
RECREATE_FUNCTION = 145
CREATE_TABLE = 200
NEW_TABLE_FOREIGN_KEY = 210
RELAX_CONSTRAINT = 250
ADD_COLUMN = 300
RELAX_COLUMN = 305
SWAP_PREPARE = 310
SWAP_TRIGGER = 320
ADD_CONSTRAINT_NOT_VALID = 400
CREATE_INDEX = 410
VALIDATE = 420
UNIQUE_USING_INDEX = 430
ADD_FOREIGN_KEY = 435  # after the unique keys it may reference are built and attached
VALIDATE_FOREIGN_KEY = 437
RENAME_INDEX = 440
REPLACE_FUNCTION = 450  # new bodies once the columns they may read exist
CREATE_TRIGGER = 460
COMMENT = 500
CREATE_VIEW = 600  # after tables, columns and functions; among views by dependency (Step.after)
COMPAT_VIEW = 900

# backfill
BACKFILL = 100

# contract
RENAME_TABLE = 100
RENAME_TYPE = 150
DROP_FOREIGN_KEY = 200
DROP_CONSTRAINT = 210
DROP_INDEX = 220
RENAME_INTO_PLACE = 230
NOT_NULL_CHECK = 300
CATCH_UP_BACKFILL = 305
NOT_NULL_VALIDATE = 310
SET_NOT_NULL = 320
SWAP_FOREIGN_KEY = 330  # the foreign key over helper columns, enforced before the old one goes
SWAP_FOREIGN_KEY_VALIDATE = 335
DROP_REPLACED_FOREIGN_KEY = 340
SWAP = 400
PRIMARY_KEY_USING_INDEX = 410
SWAP_FOREIGN_KEY_RENAME = 420
ALTER_COLUMN_CONTRACT = 450
REPLACE_VIEW = 460  # a view losing columns the old application reads; a materialized view swapped in
REFRESH_VIEW = 470
DROP_COLUMN = 500
DROP_TABLE = 600
READD_CONSTRAINT = 700
READD_VALIDATE = 710
DROP_TYPE = 800
CONTRACT_COMMENT = 900


def ordered(steps: list[Step]) -> list[Step]:
    """Steps by phase, rank and id, then moved after the steps they name in `after`."""
    base = sorted(steps, key=lambda s: (s.phase.rank, s.order, s.id))
    position = {s.id: i for i, s in enumerate(base)}
    for step in base:
        for dependency in step.after:
            if dependency not in position:
                raise PlanError(f"step {step.id} depends on unknown step {dependency}")
    result: list[Step] = []
    placed: set[str] = set()
    pending = list(base)
    while pending:
        for i, step in enumerate(pending):
            if all(d in placed for d in step.after):
                result.append(step)
                placed.add(step.id)
                del pending[i]
                break
        else:
            raise PlanError("steps depend on each other in a cycle: " + ", ".join(s.id for s in pending))
    return result
