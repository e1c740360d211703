package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/store"
)

// AddPath registers info.Path with the NAR read from src. See
// store.Store.AddPath for the contract; the steps are: check the metadata,
// stream the NAR through the NAR scanner into a temporary file while
// hashing and counting it (never past the declared size), compare hash and
// size, fsync the file, rename it into nar/, fsync the directory, and
// register the path, its references and signatures in one transaction.
func (s *Store) AddPath(ctx context.Context, info *messages.ValidPathInfo, src io.Reader) error {
	path := string(info.Path)
	done, err := s.enter("AddPath", path)
	if err != nil {
		return err
	}
	defer done()
	sum, err := store.CheckInfo(s.storeDir, info)
	if err != nil {
		return err
	}
	fail := func(err error) error { return &store.PathError{Op: "AddPath", Path: path, Err: err} }

	// One upload of a path at a time; a second waits, within its ctx.
	unlock, err := s.uploads.lock(ctx, path)
	if err != nil {
		return fail(err)
	}
	defer unlock()
	valid, err := s.isValid(ctx, "AddPath", info.Path)
	if err != nil {
		return err
	}
	if valid {
		// Read the NAR, and only it (src may go on with other data, as
		// in AddMultipleToStore), within the declared size.
		if _, err := nar.Copy(&discardUpTo{max: info.NarSize}, &ctxReader{ctx: ctx, r: src}); err != nil {
			return fail(err)
		}
		return nil
	}

	tmp, err := os.CreateTemp(filepath.Join(s.dir, tmpDir), "upload-*")
	if err != nil {
		return fail(err)
	}
	tmpName := tmp.Name()
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := receive(ctx, tmp, src, info, sum); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	final := s.narFile(info.Path)
	if err := os.Rename(tmpName, final); err != nil {
		return fail(err)
	}
	renamed = true
	if err := syncDir(filepath.Dir(final)); err != nil {
		os.Remove(final)
		return fail(err)
	}
	if err := s.register(ctx, info); err != nil {
		// Not registered: the NAR must go too (Open removes it if this
		// process dies first).
		os.Remove(final)
		return fail(err)
	}
	return nil
}

// receive copies one NAR from src to f through the NAR scanner, checking
// grammar, size and hash. It never writes more than info.NarSize bytes.
func receive(ctx context.Context, f *os.File, src io.Reader, info *messages.ValidPathInfo, sum [sha256.Size]byte) error {
	h := sha256.New()
	dst := &checkedWriter{f: f, h: h, max: info.NarSize}
	n, err := nar.Copy(dst, &ctxReader{ctx: ctx, r: src})
	switch {
	case errors.Is(err, errTooLong):
		return store.Reason(store.ErrSizeMismatch, fmt.Sprintf("declared %d bytes, the NAR is longer", info.NarSize))
	case err != nil && (errors.Is(err, nar.ErrInvalid) || errors.Is(err, io.ErrUnexpectedEOF)):
		return fmt.Errorf("%w: %w", store.ErrInvalidNAR, err)
	case err != nil:
		return err
	case uint64(n) != info.NarSize:
		return store.Reason(store.ErrSizeMismatch, fmt.Sprintf("declared %d bytes, got %d", info.NarSize, n))
	}
	var got [sha256.Size]byte
	h.Sum(got[:0])
	if !bytes.Equal(got[:], sum[:]) {
		return store.Reason(store.ErrHashMismatch, fmt.Sprintf("declared %s, got %s", store.FormatNarHash(sum), store.FormatNarHash(got)))
	}
	return nil
}

// discardUpTo discards up to max bytes, and fails (errTooLong) past them.
type discardUpTo struct{ n, max uint64 }

func (w *discardUpTo) Write(p []byte) (int, error) {
	if uint64(len(p)) > w.max-w.n {
		return 0, errTooLong
	}
	w.n += uint64(len(p))
	return len(p), nil
}

// errTooLong is what checkedWriter returns past the declared size.
var errTooLong = errors.New("NAR longer than declared")

// checkedWriter writes to f and h, refusing to go past max bytes.
type checkedWriter struct {
	f   *os.File
	h   hash.Hash
	n   uint64
	max uint64
}

func (w *checkedWriter) Write(p []byte) (int, error) {
	if uint64(len(p)) > w.max-w.n {
		return 0, errTooLong
	}
	w.h.Write(p)
	n, err := w.f.Write(p)
	w.n += uint64(n)
	return n, err
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// register inserts the path, its references and signatures in one
// transaction. A reference must be valid or the path itself.
func (s *Store) register(ctx context.Context, info *messages.ValidPathInfo) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	regTime := info.RegistrationTime
	if regTime == 0 {
		regTime = time.Now().Unix()
	}
	sum, _ := store.ParseNarHash(info.NarHash) // checked by CheckInfo
	res, err := tx.ExecContext(ctx,
		`INSERT INTO ValidPaths(path, hash, registrationTime, deriver, narSize, ultimate, ca) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(info.Path), "sha256:"+string(store.FormatNarHash(sum)), regTime,
		nullable(string(info.Deriver)), int64(info.NarSize), info.Ultimate, nullable(string(info.CA)))
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for _, ref := range info.References {
		refID := id
		if ref != info.Path {
			err := tx.QueryRowContext(ctx, `SELECT id FROM ValidPaths WHERE path = ?`, string(ref)).Scan(&refID)
			if errors.Is(err, sql.ErrNoRows) {
				return store.Reason(store.ErrMissingReference, string(ref))
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO Refs(referrer, reference) VALUES (?, ?)`, id, refID); err != nil {
			return err
		}
	}
	if err := insertSigs(ctx, tx, id, info.Sigs); err != nil {
		return err
	}
	return tx.Commit()
}

func insertSigs(ctx context.Context, tx *sql.Tx, id int64, sigs []messages.Signature) error {
	for _, sg := range sigs {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO Signatures(path, sig) VALUES (?, ?)`, id, string(sg)); err != nil {
			return err
		}
	}
	return nil
}

// AddSignatures adds sigs to a valid path's signatures.
func (s *Store) AddSignatures(ctx context.Context, path messages.StorePath, sigs []messages.Signature) error {
	done, err := s.enter("AddSignatures", string(path))
	if err != nil {
		return err
	}
	defer done()
	if _, _, err := store.SplitPath(s.storeDir, path); err != nil {
		return err
	}
	fail := func(err error) error { return &store.PathError{Op: "AddSignatures", Path: string(path), Err: err} }
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM ValidPaths WHERE path = ?`, string(path)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fail(store.ErrNotValid)
	}
	if err != nil {
		return fail(err)
	}
	if err := insertSigs(ctx, tx, id, sigs); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return nil
}

// nullable maps "" to SQL NULL, as Nix stores absent derivers and CAs.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
