"""Item pipelines, in order: normalise -> store (upsert by canonical URL) -> analyse."""
