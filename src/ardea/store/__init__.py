"""How things persist: store contracts (one per aggregate) and their backends."""
