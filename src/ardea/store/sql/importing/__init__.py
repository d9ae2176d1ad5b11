"""The import store on SQL (``store.py``): restores entities with their ids; the import ledger."""
