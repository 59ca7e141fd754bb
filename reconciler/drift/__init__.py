"""Drift: how environments differ from the desired schema (or from a baseline environment).

`findings` folds the differ's changes into one finding per top-level object (`types` for domains
and composite types); `audit` reads every environment in parallel and compares it.
"""
