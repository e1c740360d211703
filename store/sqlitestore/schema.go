package sqlitestore

// schema creates the tables, modelled on Nix's own db.sqlite (ValidPaths
// and Refs keep Nix's names and columns), with signatures in their own
// table instead of a space-separated column, and the indirect roots that
// Nix keeps as symbolic links in gcroots/auto.
const schema = `
CREATE TABLE IF NOT EXISTS Meta (
	key   TEXT PRIMARY KEY NOT NULL,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS ValidPaths (
	id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	path             TEXT UNIQUE NOT NULL,
	hash             TEXT NOT NULL,
	registrationTime INTEGER NOT NULL,
	deriver          TEXT,
	narSize          INTEGER NOT NULL,
	ultimate         INTEGER NOT NULL,
	ca               TEXT
);

CREATE TABLE IF NOT EXISTS Refs (
	referrer  INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE CASCADE,
	reference INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE RESTRICT,
	PRIMARY KEY (referrer, reference)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS IndexReference ON Refs(reference);

CREATE TABLE IF NOT EXISTS Signatures (
	path INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE CASCADE,
	sig  TEXT NOT NULL,
	PRIMARY KEY (path, sig)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS IndirectRoots (
	link TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;
`
