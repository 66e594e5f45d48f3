"""Operations: backups, restore and verify, retention, metrics, logging, and the scheduled jobs that run them."""
