"""Gates: may a step run? Approvals bound to the plan digest, and backups taken before it."""
