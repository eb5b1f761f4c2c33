// Package sqlstore is turkmail's Store over database/sql, for SQLite (modernc.org/sqlite, the
// embedded default) and PostgreSQL (pgx, for several nodes on one database). The SQL is
// shared; what differs between the two sits in dialect.go and in the per-dialect migrations,
// which carry the same numbers.
package sqlstore
