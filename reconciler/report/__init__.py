"""Reports: drift across environments (`drift`) and how to show it (`formats`)."""
