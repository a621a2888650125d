"""State stores: one protocol (`base.StateStore`), kept in memory or in Redis.

Nothing here imports the rest of the package but `state.base`: a store is a plain data backend."""
