"""Planning rules: one function per change kind, turning a typed change into steps.

A new zero-downtime strategy is a new rule (or a new branch in one), never an edit of the
differ. Rules get the `PlanContext` for sizes, versions and decisions taken across changes.
"""

from __future__ import annotations

from reconciler.diff import changes as c
from reconciler.diff import code as cc
from reconciler.diff import grants as gr
from reconciler.diff import usertypes as u
from reconciler.plan.rules import (
    code,
    columns,
    constraints,
    database,
    grants,
    indexes,
    partitions,
    security,
    tables,
    usertypes,
)
from reconciler.plan.rules.base import Rule, rule

# The rule of every change kind (`reconciler.diff.change_kinds()`; tests/unit/test_registry.py
# fails when a kind has none).
RULES: dict[type[c.Change], Rule] = dict(
    [
        rule(c.AddSchema, database.add_schema),
        rule(c.AlterSchema, database.alter_schema),
        rule(c.AddExtension, database.add_extension),
        rule(c.AlterExtension, database.alter_extension),
        rule(c.AddEnum, database.add_enum),
        rule(c.DropEnum, database.drop_enum),
        rule(c.RenameEnum, database.rename_enum),
        rule(c.AlterEnum, database.alter_enum),
        rule(c.AddSequence, database.add_sequence),
        rule(c.DropSequence, database.drop_sequence),
        rule(c.RenameSequence, database.rename_sequence),
        rule(c.AlterSequence, database.alter_sequence),
        rule(c.AddTable, tables.add_table),
        rule(c.DropTable, tables.drop_table),
        rule(c.RenameTable, tables.rename_table),
        rule(c.AlterTableComment, tables.alter_table_comment),
        rule(c.AddColumn, columns.add_column),
        rule(c.DropColumn, columns.drop_column),
        rule(c.AlterColumn, columns.alter_column),
        rule(c.RenameColumn, columns.rename_column_in_place),  # swaps are planned by rules.swap
        rule(c.AddConstraint, constraints.add_constraint),
        rule(c.DropConstraint, constraints.drop_constraint),
        rule(c.RenameConstraint, constraints.rename_constraint),
        rule(c.ReplaceConstraint, constraints.replace_constraint),
        rule(c.ValidateConstraint, constraints.validate_constraint),
        rule(c.AlterConstraintComment, constraints.alter_constraint_comment),
        rule(c.AddIndex, indexes.add_index),
        rule(c.DropIndex, indexes.drop_index),
        rule(c.RenameIndex, indexes.rename_index),
        rule(c.ReplaceIndex, indexes.replace_index),
        rule(c.AlterIndexComment, indexes.alter_index_comment),
        rule(u.AddCollation, usertypes.add_collation),
        rule(u.DropCollation, usertypes.drop_collation),
        rule(u.AlterCollation, usertypes.alter_collation),
        rule(u.AddDomain, usertypes.add_domain),
        rule(u.DropDomain, usertypes.drop_domain),
        rule(u.RenameDomain, usertypes.rename_domain),
        rule(u.AlterDomain, usertypes.alter_domain),
        rule(u.AddCompositeType, usertypes.add_composite),
        rule(u.DropCompositeType, usertypes.drop_composite),
        rule(u.RenameCompositeType, usertypes.rename_composite),
        rule(u.AlterCompositeType, usertypes.alter_composite),
        rule(u.AddPolicy, security.add_policy),
        rule(u.DropPolicy, security.drop_policy),
        rule(u.AlterPolicy, security.alter_policy),
        rule(u.AlterRowLevelSecurity, security.alter_row_level_security),
        rule(gr.ChangeGrants, grants.change_grants),
        rule(gr.ChangeDefaultPrivileges, grants.change_default_privileges),
        rule(cc.AddFunction, code.add_function),
        rule(cc.ReplaceFunction, code.replace_function),
        rule(cc.RecreateFunction, code.recreate_function),
        rule(cc.AddView, code.add_view),
        rule(cc.ReplaceView, code.replace_view),
        rule(cc.AddTrigger, code.add_trigger),
        rule(cc.ReplaceTrigger, code.replace_trigger),
    ]
)
RULES.update(partitions.RULES)
