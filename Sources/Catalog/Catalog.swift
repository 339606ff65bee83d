/// The curated source registry, its SQLite FTS5 index, portal connectors and the download cache. See ../shared/docs/architecture.md.
