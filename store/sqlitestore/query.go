package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/storepath"
)

// IsValid reports whether path is registered.
func (s *Store) IsValid(ctx context.Context, path messages.StorePath) (bool, error) {
	done, err := s.enter("IsValid", string(path))
	if err != nil {
		return false, err
	}
	defer done()
	return s.isValid(ctx, "IsValid", path)
}

func (s *Store) isValid(ctx context.Context, op string, path messages.StorePath) (bool, error) {
	if _, _, err := store.SplitPath(s.storeDir, path); err != nil {
		return false, err
	}
	var one int
	err := s.stmts.valid.QueryRowContext(ctx, string(path)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, &store.PathError{Op: op, Path: string(path), Err: err}
	}
	return true, nil
}

// QueryValidPaths returns the valid ones among paths, in the order given,
// without duplicates. A string that is not a store path is not valid.
func (s *Store) QueryValidPaths(ctx context.Context, paths []messages.StorePath) ([]messages.StorePath, error) {
	done, err := s.enter("QueryValidPaths", "")
	if err != nil {
		return nil, err
	}
	defer done()
	var valid []messages.StorePath
	seen := make(map[messages.StorePath]struct{}, len(paths))
	for _, p := range paths {
		if _, dup := seen[p]; dup {
			continue
		}
		seen[p] = struct{}{}
		ok, err := s.isValid(ctx, "QueryValidPaths", p)
		if errors.Is(err, store.ErrBadPath) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if ok {
			valid = append(valid, p)
		}
	}
	return valid, nil
}

// QueryPathInfo returns the metadata of a valid path.
func (s *Store) QueryPathInfo(ctx context.Context, path messages.StorePath) (*messages.ValidPathInfo, error) {
	done, err := s.enter("QueryPathInfo", string(path))
	if err != nil {
		return nil, err
	}
	defer done()
	if _, _, err := store.SplitPath(s.storeDir, path); err != nil {
		return nil, err
	}
	fail := func(err error) (*messages.ValidPathInfo, error) {
		return nil, &store.PathError{Op: "QueryPathInfo", Path: string(path), Err: err}
	}
	var (
		hash             string
		deriver, ca      sql.NullString
		ultimate         bool
		registrationTime int64
		narSize          int64
		refs, sigs       []byte
	)
	err = s.stmts.info.QueryRowContext(ctx, string(path)).Scan(&hash, &registrationTime, &deriver, &narSize, &ultimate, &ca, &refs, &sigs)
	if errors.Is(err, sql.ErrNoRows) {
		return fail(store.ErrNotValid)
	}
	if err != nil {
		return fail(err)
	}
	info := &messages.ValidPathInfo{
		Path:             path,
		Deriver:          messages.StorePath(deriver.String),
		NarHash:          messages.NarHash(strings.TrimPrefix(hash, "sha256:")),
		RegistrationTime: registrationTime,
		NarSize:          uint64(narSize),
		Ultimate:         ultimate,
		CA:               messages.ContentAddress(ca.String),
	}
	if err := unmarshalList(refs, &info.References); err != nil {
		return fail(err)
	}
	if err := unmarshalList(sigs, &info.Sigs); err != nil {
		return fail(err)
	}
	return info, nil
}

// unmarshalList decodes a JSON array built by json_group_array, leaving
// *dst nil for an empty one.
func unmarshalList[T ~string](b []byte, dst *[]T) error {
	if string(b) == "[]" {
		return nil
	}
	return json.Unmarshal(b, dst)
}

// strings runs a query of one text column.
func (s *Store) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// paths is strings as store paths, failing as op.
func (s *Store) paths(ctx context.Context, op, path, query string, args ...any) ([]messages.StorePath, error) {
	vs, err := s.strings(ctx, query, args...)
	if err != nil {
		return nil, &store.PathError{Op: op, Path: path, Err: err}
	}
	out := make([]messages.StorePath, len(vs))
	for i, v := range vs {
		out[i] = messages.StorePath(v)
	}
	return out, nil
}

// QueryAllValidPaths returns every valid path, sorted.
func (s *Store) QueryAllValidPaths(ctx context.Context) ([]messages.StorePath, error) {
	done, err := s.enter("QueryAllValidPaths", "")
	if err != nil {
		return nil, err
	}
	defer done()
	return s.paths(ctx, "QueryAllValidPaths", "", `SELECT path FROM ValidPaths ORDER BY path`)
}

// QueryReferrers returns the valid paths that refer to path, sorted.
func (s *Store) QueryReferrers(ctx context.Context, path messages.StorePath) ([]messages.StorePath, error) {
	done, err := s.enter("QueryReferrers", string(path))
	if err != nil {
		return nil, err
	}
	defer done()
	if _, _, err := store.SplitPath(s.storeDir, path); err != nil {
		return nil, err
	}
	return s.paths(ctx, "QueryReferrers", string(path),
		`SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.referrer
		 WHERE r.reference = (SELECT id FROM ValidPaths WHERE path = ?) ORDER BY v.path`, string(path))
}

// QueryPathFromHashPart returns the valid path with hash part hashPart, or
// "". It looks the hash part up as Nix does: the first path not below
// StoreDir()/hashPart in sort order.
func (s *Store) QueryPathFromHashPart(ctx context.Context, hashPart string) (messages.StorePath, error) {
	done, err := s.enter("QueryPathFromHashPart", hashPart)
	if err != nil {
		return "", err
	}
	defer done()
	// As Nix, only the length is checked: any other string of that
	// length names no path (the lookup below finds none).
	if len(hashPart) != storepath.HashLen {
		return "", &store.PathError{Op: "QueryPathFromHashPart", Path: hashPart, Err: store.Reason(store.ErrBadPath, "not a hash part")}
	}
	prefix := s.storeDir + "/" + hashPart + "-"
	var p string
	err = s.db.QueryRowContext(ctx, `SELECT path FROM ValidPaths WHERE path >= ? ORDER BY path LIMIT 1`, prefix).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !strings.HasPrefix(p, prefix)) {
		return "", nil
	}
	if err != nil {
		return "", &store.PathError{Op: "QueryPathFromHashPart", Path: hashPart, Err: err}
	}
	return messages.StorePath(p), nil
}

// OpenNAR opens the NAR file of a valid path; the returned reader is the
// *os.File itself.
func (s *Store) OpenNAR(ctx context.Context, path messages.StorePath) (io.ReadCloser, uint64, error) {
	info, err := s.QueryPathInfo(ctx, path)
	if err != nil {
		if pe, ok := err.(*store.PathError); ok {
			pe.Op = "OpenNAR"
		}
		return nil, 0, err
	}
	f, err := os.Open(s.narFile(path))
	if err != nil {
		return nil, 0, &store.PathError{Op: "OpenNAR", Path: string(path), Err: errors.Join(ErrCorrupt, err)}
	}
	// A NAR file of another size than registered was damaged on disk:
	// refused now rather than streamed cut off.
	if fi, err := f.Stat(); err != nil || fi.Size() != int64(info.NarSize) {
		f.Close()
		why := err
		if why == nil {
			why = fmt.Errorf("its NAR file has %d bytes, %d registered", fi.Size(), info.NarSize)
		}
		return nil, 0, &store.PathError{Op: "OpenNAR", Path: string(path), Err: errors.Join(ErrCorrupt, why)}
	}
	return f, info.NarSize, nil
}
