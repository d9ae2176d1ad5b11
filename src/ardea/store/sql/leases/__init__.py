"""Named leases for once-only work across replicas (:class:`~.store.SqlLeaseStore`)."""
