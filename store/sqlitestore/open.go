package sqlitestore

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Errors of Open and Verify, besides those of the store package.
var (
	// ErrLocked reports a data directory another Store has open.
	ErrLocked = errors.New("sqlitestore: data directory is in use")
	// ErrStoreDir reports a data directory created for another store
	// directory.
	ErrStoreDir = errors.New("sqlitestore: data directory belongs to another store directory")
	// ErrCorrupt is matched by every problem Verify finds.
	ErrCorrupt = errors.New("sqlitestore: store is inconsistent")
)

// Names inside the data directory.
const (
	dbName   = "db.sqlite"
	narDir   = "nar"
	tmpDir   = "tmp"
	lockName = "lock"
	narExt   = ".nar"
)

// Options configure Open.
type Options struct {
	// StoreDir is the store directory of the paths kept
	// (store.DefaultStoreDir if empty). It is recorded when the data
	// directory is created; opening it with another one fails.
	StoreDir string
	// MaxTempRoots bounds the temporary roots kept in memory for one owner
	// (a connection), and four times that for all together (default
	// DefaultMaxTempRoots); AddTempRoot past it fails with store.ErrLimit.
	MaxTempRoots int
}

// DefaultMaxTempRoots is the default Options.MaxTempRoots: far above the
// paths one `nix copy` adds, a few tens of MiB of memory.
const DefaultMaxTempRoots = 1 << 18

// Store is the embedded store. It implements store.Store.
type Store struct {
	dir      string
	storeDir string
	db       *sql.DB
	lockFile *os.File
	stmts    statements

	// writeMu serialises write transactions, so that a backend with more
	// than one connection never sees SQLITE_BUSY on a deferred
	// transaction's upgrade to a write.
	writeMu sync.Mutex
	// uploads serialises uploads of the same path.
	uploads keyedMutex

	rootsMu   sync.Mutex
	tempRoots map[string]map[messages.StorePath]struct{}
	nTemp     int // the temporary roots of all owners
	maxTemp   int // per owner (Options.MaxTempRoots)

	closeMu sync.RWMutex
	closed  bool
}

var _ store.Store = (*Store)(nil)

// Open opens (creating it if needed) the store kept in dir, takes its lock,
// and removes the leftovers of interrupted uploads: every file in tmp/ and
// every NAR file no registered path refers to.
func Open(dir string, opts Options) (*Store, error) {
	if opts.StoreDir == "" {
		opts.StoreDir = store.DefaultStoreDir
	}
	if !filepath.IsAbs(opts.StoreDir) || strings.HasSuffix(opts.StoreDir, "/") {
		return nil, fmt.Errorf("sqlitestore: store directory %q is not absolute or ends with '/'", opts.StoreDir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	if strings.ContainsAny(abs, "?#") {
		return nil, fmt.Errorf("sqlitestore: data directory %q holds '?' or '#'", abs)
	}
	for _, d := range []string{abs, filepath.Join(abs, narDir), filepath.Join(abs, tmpDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("sqlitestore: %w", err)
		}
	}
	lf, err := os.OpenFile(filepath.Join(abs, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	if err := lockDir(lf); err != nil {
		lf.Close()
		return nil, fmt.Errorf("sqlitestore: lock %s: %w", abs, err)
	}
	s := &Store{dir: abs, storeDir: opts.StoreDir, lockFile: lf, tempRoots: map[string]map[messages.StorePath]struct{}{}, maxTemp: opts.MaxTempRoots}
	if s.maxTemp <= 0 {
		s.maxTemp = DefaultMaxTempRoots
	}
	if err := s.openDB(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.removeLeftovers(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openDB opens the database with the pragmas every connection needs and
// creates the schema.
func (s *Store) openDB() error {
	dsn := filepath.Join(s.dir, dbName) +
		"?_pragma=foreign_keys(1)&_pragma=locking_mode(EXCLUSIVE)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("sqlitestore: open database: %w", err)
	}
	s.db = db
	// One connection, in exclusive locking mode: the data directory's lock
	// already keeps other processes out, and without the shared-memory
	// locks of WAL that every read transaction would otherwise take
	// (fcntl calls), a QueryPathInfo costs half as much. Queries are short
	// and never hold the connection while the caller streams, so sharing
	// it costs little; the statements prepared on it stay prepared.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if _, err := db.Exec(schema); err != nil {
		return fmt.Errorf("sqlitestore: create schema: %w", err)
	}
	if _, err := db.Exec(`INSERT OR IGNORE INTO Meta(key, value) VALUES ('storeDir', ?)`, s.storeDir); err != nil {
		return fmt.Errorf("sqlitestore: record store directory: %w", err)
	}
	var recorded string
	if err := db.QueryRow(`SELECT value FROM Meta WHERE key = 'storeDir'`).Scan(&recorded); err != nil {
		return fmt.Errorf("sqlitestore: read store directory: %w", err)
	}
	if recorded != s.storeDir {
		return fmt.Errorf("%w: %s is for %s, not %s", ErrStoreDir, s.dir, recorded, s.storeDir)
	}
	return s.stmts.prepare(db)
}

// statements are the queries of the hot paths, prepared once.
type statements struct {
	valid, info *sql.Stmt
}

func (st *statements) prepare(db *sql.DB) error {
	for _, q := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&st.valid, `SELECT 1 FROM ValidPaths WHERE path = ?`},
		{&st.info, `SELECT hash, registrationTime, deriver, narSize, ultimate, ca,
			(SELECT json_group_array(path) FROM (SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference WHERE r.referrer = p.id ORDER BY v.path)),
			(SELECT json_group_array(sig) FROM (SELECT sig FROM Signatures WHERE path = p.id ORDER BY sig))
			FROM ValidPaths p WHERE path = ?`},
	} {
		stmt, err := db.Prepare(q.sql)
		if err != nil {
			return fmt.Errorf("sqlitestore: prepare %q: %w", q.sql, err)
		}
		*q.stmt = stmt
	}
	return nil
}

// removeLeftovers deletes what interrupted uploads left: everything in
// tmp/, and NAR files that were renamed into place but never registered.
// No upload runs yet, so nothing it deletes can be in use.
func (s *Store) removeLeftovers() error {
	tmp := filepath.Join(s.dir, tmpDir)
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(tmp, e.Name())); err != nil {
			return fmt.Errorf("sqlitestore: remove leftover upload: %w", err)
		}
	}
	nars := filepath.Join(s.dir, narDir)
	ents, err = os.ReadDir(nars)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	removed := false
	for _, e := range ents {
		base, ok := strings.CutSuffix(e.Name(), narExt)
		if !ok {
			continue
		}
		var one int
		err := s.db.QueryRow(`SELECT 1 FROM ValidPaths WHERE path = ?`, s.storeDir+"/"+base).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			if err := os.Remove(filepath.Join(nars, e.Name())); err != nil {
				return fmt.Errorf("sqlitestore: remove unregistered NAR: %w", err)
			}
			removed = true
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlitestore: %w", err)
		}
	}
	if removed {
		return syncDir(nars)
	}
	return nil
}

// StoreDir returns the store directory of the paths kept.
func (s *Store) StoreDir() string { return s.storeDir }

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// Close closes the database and releases the data directory. Running calls
// finish first.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if s.db != nil {
		err = s.db.Close()
	}
	if s.lockFile != nil {
		if cerr := s.lockFile.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// enter marks a call in progress (Close waits for it) and fails once the
// store is closed; the caller must call the returned function when done.
func (s *Store) enter(op, path string) (func(), error) {
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return nil, &store.PathError{Op: op, Path: path, Err: store.ErrClosed}
	}
	return s.closeMu.RUnlock, nil
}

// narFile is where the NAR of a path is kept.
func (s *Store) narFile(path messages.StorePath) string {
	return filepath.Join(s.dir, narDir, filepath.Base(string(path))+narExt)
}

// syncDir fsyncs a directory, making the renames and removals in it
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sqlitestore: sync %s: %w", dir, err)
	}
	return nil
}
