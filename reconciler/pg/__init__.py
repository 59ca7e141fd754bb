"""PostgreSQL plumbing shared by every stage: connections (`dsn`) and throwaway servers (`localserver`)."""
