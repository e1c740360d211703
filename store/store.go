package store

import (
	"context"
	"io"

	"github.com/nixwire/nixwire/messages"
)

// DefaultStoreDir is the store directory of a default Nix installation.
const DefaultStoreDir = "/nix/store"

// Store is path metadata and NAR blobs behind the daemon protocol. Its
// methods are safe for concurrent use; each honours its context (a long
// upload or query stops with ctx.Err() wrapped in a *PathError or returned
// as is).
//
// Paths are full store paths (StoreDir()/<hash part>-<name>); a string that
// is not one gives an error matching [ErrBadPath]. Query methods report a
// path that is not valid with an error matching [ErrNotValid], except where
// "not valid" is an ordinary answer (IsValid, QueryValidPaths,
// QueryPathFromHashPart).
type Store interface {
	// StoreDir is the store directory every path lives in, e.g. /nix/store.
	StoreDir() string

	// IsValid reports whether path is registered (op IsValidPath).
	IsValid(ctx context.Context, path messages.StorePath) (bool, error)
	// QueryValidPaths returns the valid ones among paths, in the order
	// given, without duplicates (op QueryValidPaths; substitution is not
	// supported, so its flag has no effect here).
	QueryValidPaths(ctx context.Context, paths []messages.StorePath) ([]messages.StorePath, error)
	// QueryPathInfo returns the metadata of a valid path (op QueryPathInfo;
	// the reply's Info is Unkeyed(info)). NarHash is base16 SHA-256 without
	// prefix, References and Sigs are sorted.
	QueryPathInfo(ctx context.Context, path messages.StorePath) (*messages.ValidPathInfo, error)
	// QueryAllValidPaths returns every valid path, sorted (op
	// QueryAllValidPaths).
	QueryAllValidPaths(ctx context.Context) ([]messages.StorePath, error)
	// QueryReferrers returns the valid paths that refer to path, sorted,
	// including path itself when it refers to itself (op QueryReferrers).
	// A path that is not valid has no referrers (no error), as in Nix.
	QueryReferrers(ctx context.Context, path messages.StorePath) ([]messages.StorePath, error)
	// QueryPathFromHashPart returns the valid path whose hash part is
	// hashPart, or "" when there is none (op QueryPathFromHashPart). As in
	// Nix, a hashPart of another length than 32 is an error (ErrBadPath),
	// and any other string simply names no path.
	QueryPathFromHashPart(ctx context.Context, hashPart string) (messages.StorePath, error)

	// OpenNAR opens the NAR of a valid path for reading (op NarFromPath).
	// The NAR is streamed from where it is kept, never read into memory;
	// the caller must close it. size is the NAR's size. A path that is
	// not valid is an error matching ErrNotValid.
	OpenNAR(ctx context.Context, path messages.StorePath) (nar io.ReadCloser, size uint64, err error)

	// AddPath registers info.Path with the NAR read from nar (ops
	// AddToStoreNar, AddMultipleToStore, and AddToStore/AddTextToStore once
	// the server has computed the path; see the package documentation).
	//
	// It reads exactly one NAR from nar, checking its grammar, and fails
	// with nothing registered if the NAR is invalid ([ErrInvalidNAR]), its
	// size or SHA-256 differ from info.NarSize and info.NarHash
	// ([ErrSizeMismatch], [ErrHashMismatch]), nar fails or ctx ends, or a
	// reference is neither valid nor info.Path itself
	// ([ErrMissingReference]). When AddPath returns nil the path is valid
	// and durable: it survives a crash of the process that follows.
	// info.RegistrationTime 0 means now.
	//
	// A path that is already valid is left as it is (as Nix does without
	// repair): nar is read to its end and discarded, and AddPath returns
	// nil. Its references are not checked.
	AddPath(ctx context.Context, info *messages.ValidPathInfo, nar io.Reader) error
	// AddSignatures adds sigs to the signatures of a valid path (op
	// AddSignatures); signatures it already has are not repeated. The
	// store does not check them (see the package documentation).
	AddSignatures(ctx context.Context, path messages.StorePath, sigs []messages.Signature) error

	// AddTempRoot records path as a temporary root of the client session
	// named owner (op AddTempRoot), until RemoveTempRoots(owner). path
	// need not be valid. Temporary roots do not outlive the process.
	AddTempRoot(ctx context.Context, owner string, path messages.StorePath) error
	// RemoveTempRoots forgets the temporary roots of owner (the server
	// calls it when the session ends).
	RemoveTempRoots(ctx context.Context, owner string) error
	// AddIndirectRoot records link, an absolute file name outside the
	// store that is (or will be) a symbolic link to a store path, as a
	// garbage collector root (op AddIndirectRoot).
	AddIndirectRoot(ctx context.Context, link string) error
	// FindRoots returns the roots that lead to valid paths (op FindRoots):
	// indirect roots whose link currently points to a valid path (Link is
	// the link's name), and temporary roots (Link is "{temp:OWNER}"),
	// sorted by Link then Path.
	FindRoots(ctx context.Context) ([]Root, error)

	// Close releases the store. Calls after Close fail with [ErrClosed].
	Close() error
}

// Root is one garbage collector root: a name that keeps Path alive.
type Root struct {
	// Link names the root: a symbolic link's file name, or "{temp:OWNER}"
	// for a temporary root.
	Link string
	// Path is the store path the root keeps alive.
	Path messages.StorePath
}

// Unkeyed returns info without its path, as QueryPathInfo's reply carries
// it.
func Unkeyed(info *messages.ValidPathInfo) *messages.UnkeyedValidPathInfo {
	return &messages.UnkeyedValidPathInfo{
		Deriver:          info.Deriver,
		NarHash:          info.NarHash,
		References:       info.References,
		RegistrationTime: info.RegistrationTime,
		NarSize:          info.NarSize,
		Ultimate:         info.Ultimate,
		Sigs:             info.Sigs,
		CA:               info.CA,
	}
}
