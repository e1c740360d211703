package storehandler

import (
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/signature"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/storepath"
)

// Handler serves a store.Store. Set its fields before serving; it is safe
// for the concurrent use of many connections.
type Handler struct {
	// Ops the store has no use for (derivation queries, realisations,
	// build logs, …) answer "not supported".
	messages.UnimplementedWorkerHandler

	// Store is the store served.
	Store store.Store
	// RequireSigs refuses AddToStoreNar and AddMultipleToStore uploads of
	// paths that are neither content-addressed nor signed by one of
	// TrustedKeys (Nix's require-sigs), unless a trusted client asks to
	// skip the check.
	RequireSigs bool
	// TrustedKeys are the public keys whose signatures RequireSigs accepts
	// (Nix's trusted-public-keys).
	TrustedKeys []signature.PublicKey
	// TempDir is where AddToStore spools dumps while it hashes them
	// ("" for os.TempDir()).
	TempDir string
	// RealStoreDir, if set, is a directory where every path added is also
	// unpacked as a file tree (see the package documentation): Nix's C++
	// clients on a unix:// store read files and NARs from there.
	RealStoreDir string
	// Log receives problems that do not fail an operation (a path that
	// could not be unpacked into RealStoreDir); nil discards them.
	Log *slog.Logger

	rootsMu sync.Mutex
	rooted  map[uint64]bool // connections with temporary roots
}

// New returns a Handler serving st, trusting every upload (Nix's
// require-sigs = false).
func New(st store.Store) *Handler { return &Handler{Store: st} }

var _ messages.WorkerHandler = (*Handler)(nil)

// Errors of the handler, besides those of the store package. Each is
// wrapped with the path concerned.
var (
	// ErrCannotBuild reports an operation that would need a build or a
	// substitution, which this store cannot do.
	ErrCannotBuild = errors.New("this store cannot build or substitute paths")
	// ErrUnsigned reports an upload that lacks a signature by a trusted key
	// (under RequireSigs) and is not content-addressed.
	ErrUnsigned = errors.New("lacks a valid signature")
	// ErrCAMismatch reports an upload whose content does not have the
	// content address it declares.
	ErrCAMismatch = errors.New("content address mismatch")
	// ErrBadRequest reports a request Nix's daemon would refuse too: an
	// unknown hash algorithm or content-address method, a name that is not
	// a store path name, a flat upload that is not a regular file.
	ErrBadRequest = errors.New("bad request")
)

// dir is the store directory as a storepath.Dir.
func (h *Handler) dir() storepath.Dir { return storepath.Dir(h.Store.StoreDir()) }

func (h *Handler) tempDir() string {
	if h.TempDir != "" {
		return h.TempDir
	}
	return os.TempDir()
}

// parsePath reads a full store path of the served store.
func (h *Handler) parsePath(p messages.StorePath) (storepath.Path, error) {
	return h.dir().Parse(string(p))
}

// parsePaths reads full store paths of the served store.
func (h *Handler) parsePaths(ps []messages.StorePath) ([]storepath.Path, error) {
	out := make([]storepath.Path, 0, len(ps))
	for _, p := range ps {
		sp, err := h.parsePath(p)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

// quote renders a path in an error message as Nix does ('…').
func quote(s string) string { return "'" + s + "'" }

// pathErr wraps err with the path it concerns, in Nix's wording.
func pathErr(what string, p messages.StorePath, err error) error {
	return &PathError{What: what, Path: p, Err: err}
}

// PathError is the shape of every error of the handler about one path.
type PathError struct {
	// What is what was being done, e.g. "cannot add path", which the
	// quoted path and the cause follow; or, if it holds "%s", the whole
	// message in Nix's words, with the quoted path in its place (e.g.
	// "path %s is not valid").
	What string
	Path messages.StorePath // the path concerned
	Err  error              // the cause
}

// Error returns e.g. "cannot add path '/nix/store/…-foo': NAR hash
// mismatch", or "path '/nix/store/…-foo' is not valid".
func (e *PathError) Error() string {
	if strings.Contains(e.What, "%s") {
		return strings.Replace(e.What, "%s", quote(string(e.Path)), 1)
	}
	return e.What + " " + quote(string(e.Path)) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *PathError) Unwrap() error { return e.Err }
