"""Alert rules in SQL: tables, window measures and the store."""
