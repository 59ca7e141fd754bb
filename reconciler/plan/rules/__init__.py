"""Planning rules: one function per change kind, turning a typed change into steps.

A new zero-downtime strategy is a new rule (or a new branch in one), never an edit of the
differ. Rules get the `PlanContext` for sizes, versions and decisions taken across changes.
"""

from __future__ import annotations

from typing import Callable

from reconciler.diff import changes as c
from reconciler.diff import code as cc
from reconciler.diff import grants as gr
from reconciler.diff import usertypes as u
from reconciler.plan.context import PlanContext
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
from reconciler.plan.steps import Step

Rule = Callable[[c.Change, PlanContext], list[Step]]

RULES: dict[type[c.Change], Rule] = {  # type: ignore[dict-item]
    c.AddSchema: database.add_schema,
    c.AlterSchema: database.alter_schema,
    c.AddExtension: database.add_extension,
    c.AlterExtension: database.alter_extension,
    c.AddEnum: database.add_enum,
    c.DropEnum: database.drop_enum,
    c.RenameEnum: database.rename_enum,
    c.AlterEnum: database.alter_enum,
    c.AddSequence: database.add_sequence,
    c.DropSequence: database.drop_sequence,
    c.RenameSequence: database.rename_sequence,
    c.AlterSequence: database.alter_sequence,
    c.AddTable: tables.add_table,
    c.DropTable: tables.drop_table,
    c.RenameTable: tables.rename_table,
    c.AlterTableComment: tables.alter_table_comment,
    c.AddColumn: columns.add_column,
    c.DropColumn: columns.drop_column,
    c.AlterColumn: columns.alter_column,
    c.RenameColumn: columns.rename_column_in_place,  # swaps are planned by rules.swap
    c.AddConstraint: constraints.add_constraint,
    c.DropConstraint: constraints.drop_constraint,
    c.RenameConstraint: constraints.rename_constraint,
    c.ReplaceConstraint: constraints.replace_constraint,
    c.ValidateConstraint: constraints.validate_constraint,
    c.AlterConstraintComment: constraints.alter_constraint_comment,
    c.AddIndex: indexes.add_index,
    c.DropIndex: indexes.drop_index,
    c.RenameIndex: indexes.rename_index,
    c.ReplaceIndex: indexes.replace_index,
    c.AlterIndexComment: indexes.alter_index_comment,
    u.AddCollation: usertypes.add_collation,
    u.DropCollation: usertypes.drop_collation,
    u.AlterCollation: usertypes.alter_collation,
    u.AddDomain: usertypes.add_domain,
    u.DropDomain: usertypes.drop_domain,
    u.RenameDomain: usertypes.rename_domain,
    u.AlterDomain: usertypes.alter_domain,
    u.AddCompositeType: usertypes.add_composite,
    u.DropCompositeType: usertypes.drop_composite,
    u.RenameCompositeType: usertypes.rename_composite,
    u.AlterCompositeType: usertypes.alter_composite,
    u.AddPolicy: security.add_policy,
    u.DropPolicy: security.drop_policy,
    u.AlterPolicy: security.alter_policy,
    u.AlterRowLevelSecurity: security.alter_row_level_security,
    gr.ChangeGrants: grants.change_grants,
    gr.ChangeDefaultPrivileges: grants.change_default_privileges,
    cc.AddFunction: code.add_function,
    cc.ReplaceFunction: code.replace_function,
    cc.RecreateFunction: code.recreate_function,
    cc.AddView: code.add_view,
    cc.ReplaceView: code.replace_view,
    cc.AddTrigger: code.add_trigger,
    cc.ReplaceTrigger: code.replace_trigger,
}
RULES.update(partitions.RULES)  # type: ignore[arg-type]
