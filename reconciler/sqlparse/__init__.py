"""User SQL as PostgreSQL's own parser (pglast) reads it.

`fragments`: types, expressions and names written in the YAML, checked and re-rendered;
`queries`: view queries and routine bodies; `graph`: the desired side's dependency graph (the
relations and routines a query or expression names). Nothing here talks to a database.
"""
