package storehandler

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/storepath"
)

// dumpKind says what AddToStore's data is.
type dumpKind uint8

const (
	dumpNAR      dumpKind = iota // a NAR (recursive ingestion, or any legacy upload)
	dumpContents                 // a flat file's bytes (flat and text from 1.25)
)

// addDump adds what AddToStore and AddTextToStore send: the dump is
// spooled to a temporary file while it is hashed with the content-address
// algorithm (and, for a NAR, with SHA-256), the store path is computed from
// the content address as Nix computes it, and the NAR is then streamed
// from the spool to Store.AddPath. For method Flat or Text the content
// address covers a file's bytes: kind dumpContents gives them as they are,
// dumpNAR (legacy layouts) inside the NAR of one regular file.
func (h *Handler) addDump(ctx context.Context, name string, m contentaddress.Method, algo nixhash.Algorithm, refs []messages.StorePath, kind dumpKind, src io.Reader) (*messages.ValidPathInfo, error) {
	if err := storepath.CheckName(name); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	if m == contentaddress.Git || m == 0 {
		return nil, fmt.Errorf("%w: content-address method %s is not supported", ErrBadRequest, m)
	}
	refPaths, err := h.parsePaths(refs)
	if err != nil {
		return nil, fmt.Errorf("%w: reference: %w", ErrBadRequest, err)
	}
	// A reference must be valid (the store checks it again as it
	// registers the path); said first, in Nix's words.
	for _, r := range refs {
		if ok, err := h.Store.IsValid(ctx, r); err != nil {
			return nil, err
		} else if !ok {
			return nil, notValid(r)
		}
	}
	f, err := os.CreateTemp(h.tempDir(), "nixwire-add-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	caHash := algo.New()
	var size uint64 // NAR size (dumpNAR + NAR) or the file's size
	narHash := sha256.New()
	spool := io.MultiWriter(f, caHash, narHash)
	if m == contentaddress.NAR && algo == nixhash.SHA256 {
		// fixed:r:sha256: the content address's hash is the NAR hash.
		narHash, spool = caHash, io.MultiWriter(f, caHash)
	}
	switch {
	case m == contentaddress.NAR && kind == dumpNAR:
		n, err := nar.Copy(spool, src)
		if err != nil {
			return nil, err
		}
		size = uint64(n)
	case kind == dumpNAR: // the legacy flat layout: a NAR of one file
		n, err := regularContents(io.MultiWriter(f, caHash), src)
		if err != nil {
			return nil, err
		}
		size = n
	case m == contentaddress.NAR:
		return nil, fmt.Errorf("%w: a recursive dump must be a NAR", ErrBadRequest)
	default:
		n, err := io.Copy(io.MultiWriter(f, caHash), src)
		if err != nil {
			return nil, err
		}
		size = uint64(n)
	}
	digest, err := nixhash.New(algo, caHash.Sum(nil))
	if err != nil {
		return nil, err
	}
	ca := contentaddress.ContentAddress{Method: m, Hash: digest}
	p, err := h.dir().FromCA(name, ca, refPaths, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	narSize := size
	if m != contentaddress.NAR {
		// The NAR of the file: hash it first (AddPath wants the hash
		// declared), then stream it again to the store.
		n, err := fileNAR(narHash, f, size)
		if err != nil {
			return nil, err
		}
		narSize = n
	}
	nh, _ := nixhash.New(nixhash.SHA256, narHash.Sum(nil))
	info := &messages.ValidPathInfo{
		Path:       messages.StorePath(h.dir().String(p)),
		NarHash:    messages.NarHash(nh.Base16()),
		References: sortedPaths(refs),
		NarSize:    narSize,
		CA:         messages.ContentAddress(ca.String()),
	}
	var narSrc io.Reader
	if m == contentaddress.NAR {
		narSrc = io.NewSectionReader(f, 0, int64(size))
	} else {
		pr, pw := io.Pipe()
		go func() {
			_, err := fileNAR(pw, f, size)
			pw.CloseWithError(err)
		}()
		defer pr.Close()
		narSrc = pr
	}
	if err := h.Store.AddPath(ctx, info, narSrc); err != nil {
		return nil, err
	}
	h.added(ctx, info.Path)
	return h.Store.QueryPathInfo(ctx, info.Path)
}

// fileNAR writes the NAR of a regular, non-executable file whose size
// bytes are at the start of f (as Nix stores a flat or text path),
// returning the NAR's size.
func fileNAR(dst io.Writer, f *os.File, size uint64) (uint64, error) {
	w := nar.NewWriter(dst)
	if err := w.File(false, size); err != nil {
		return 0, err
	}
	if _, err := w.ReadFrom(io.NewSectionReader(f, 0, int64(size))); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	return uint64(w.Size()), nil
}

// regularContents reads one NAR from src that must be a single regular
// file (what a client sends for a flat upload before 1.25) and copies the
// file's contents to dst. Nix refuses anything else: "regular file
// expected".
func regularContents(dst io.Writer, src io.Reader) (uint64, error) {
	var n uint64
	_, err := nar.Walk(src, func(hd *nar.Header, contents io.Reader) error {
		if hd.Path != "" || hd.Type != nar.TypeRegular {
			return fmt.Errorf("%w: regular file expected", ErrBadRequest)
		}
		c, err := io.Copy(dst, contents)
		n = uint64(c)
		return err
	})
	return n, err
}

// sortedPaths returns ps sorted and without duplicates, as Nix's sets are.
func sortedPaths(ps []messages.StorePath) []messages.StorePath {
	out := slices.Clone(ps)
	slices.Sort(out)
	return slices.Compact(out)
}
