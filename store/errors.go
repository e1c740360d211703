package store

import "errors"

// Sentinel errors. Every error a [Store] returns for one of these failure
// classes matches the sentinel under errors.Is and names the path concerned.
var (
	// ErrNotValid reports a path that is not valid (not registered) in the
	// store.
	ErrNotValid = errors.New("store: path is not valid")
	// ErrBadPath reports a string that is not a store path of this store:
	// outside its store directory, or without a well-formed hash part and
	// name.
	ErrBadPath = errors.New("store: not a store path")
	// ErrBadHash reports a NAR hash the store cannot read: not a SHA-256 in
	// one of the forms Nix reads (see ParseNarHash).
	ErrBadHash = errors.New("store: unreadable NAR hash")
	// ErrHashMismatch reports an upload whose NAR does not have the declared
	// hash.
	ErrHashMismatch = errors.New("store: NAR hash mismatch")
	// ErrSizeMismatch reports an upload whose NAR does not have the declared
	// size.
	ErrSizeMismatch = errors.New("store: NAR size mismatch")
	// ErrInvalidNAR reports an upload whose data is not a valid NAR.
	ErrInvalidNAR = errors.New("store: invalid NAR")
	// ErrMissingReference reports an upload with a reference that is
	// neither valid nor the path itself (Nix requires a closed store).
	ErrMissingReference = errors.New("store: reference is not valid")
	// ErrClosed reports a call on a closed store.
	ErrClosed = errors.New("store: closed")
	// ErrLimit reports a request beyond what the store keeps for one
	// client (such as its temporary roots).
	ErrLimit = errors.New("store: limit reached")
)

// PathError is the shape of every error about one path: the operation, the
// path, and the cause (one of the sentinels, or an I/O or database error).
type PathError struct {
	Op   string // the Store method, e.g. "AddPath"
	Path string // the store path (or hash part) concerned
	Err  error  // the cause
}

// Error returns e.g. `store: AddPath /nix/store/…-foo: store: NAR hash
// mismatch: declared 0a1b…, got 9f8e…`.
func (e *PathError) Error() string {
	return "store: " + e.Op + " " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *PathError) Unwrap() error { return e.Err }
