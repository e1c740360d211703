// Package sqlitestore is the embedded [store.Store] of `nixwire serve`:
// path metadata in a SQLite database (through the pure-Go
// modernc.org/sqlite, the same engine Nix uses for its own db.sqlite) and
// NARs as files beside it.
//
// A data directory holds:
//
//	db.sqlite, db.sqlite-wal, …   the metadata (write-ahead log, full sync)
//	nar/<base name>.nar           the NAR of each valid path
//	tmp/                          uploads in progress
//	lock                          held (flock) while a Store has the directory open
//
// An upload is written to a file in tmp/ while it is hashed and counted,
// checked against the declared hash and size, fsynced, renamed into nar/
// (and the directory fsynced), and only then registered, with its
// references and signatures, in one transaction. A crash at any point
// leaves either a registered path with its complete NAR or no trace that
// [Open] does not remove: it empties tmp/ and deletes NAR files no row
// refers to.
package sqlitestore
