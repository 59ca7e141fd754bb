"""Reports: output formats only (`formats`: drift reports as text, JSON, Markdown and JUnit XML).
What they show is computed by `reconciler.drift`; plans are rendered by `reconciler.plan.render`."""
