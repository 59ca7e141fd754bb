"""Every kind of document of the YAML format, in one place: the union the JSON Schema is made
from, and the model of each kind the loader validates with and the CRDs are generated from.

Stage: load. Schema objects are defined in `spec`, code objects in `codespec`.
"""

from __future__ import annotations

from reconciler.load.codespec import FunctionDocument, MaterializedViewDocument, ProcedureDocument, ViewDocument
from reconciler.load.spec import (
    CollationDocument,
    CompositeTypeDocument,
    DocumentModel,
    DomainDocument,
    EnumDocument,
    ExtensionDocument,
    SchemaDocument,
    SequenceDocument,
    TableDocument,
)

AnyDocument = (
    SchemaDocument
    | ExtensionDocument
    | EnumDocument
    | SequenceDocument
    | TableDocument
    | DomainDocument
    | CompositeTypeDocument
    | CollationDocument
    | FunctionDocument
    | ProcedureDocument
    | ViewDocument
    | MaterializedViewDocument
)
DOCUMENT_KINDS: dict[str, type[DocumentModel]] = {
    "Schema": SchemaDocument,
    "Extension": ExtensionDocument,
    "Enum": EnumDocument,
    "Sequence": SequenceDocument,
    "Table": TableDocument,
    "Domain": DomainDocument,
    "CompositeType": CompositeTypeDocument,
    "Collation": CollationDocument,
    "Function": FunctionDocument,
    "Procedure": ProcedureDocument,
    "View": ViewDocument,
    "MaterializedView": MaterializedViewDocument,
}
