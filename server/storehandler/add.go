package storehandler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/server"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/wire"
)

// AddToStore adds a file or directory whose path the store computes from
// its contents. From 1.25 the request names the content-address method
// ("text:sha256", "fixed:sha1", "fixed:r:sha512", …) and the references,
// and the dump (a NAR for "fixed:r:", the bytes otherwise) follows framed;
// the reply is the new path's ValidPathInfo. Before 1.25 it names a hash
// algorithm and whether the ingestion is recursive, the data is a NAR
// either way (of one regular file for flat), and the reply is the path.
func (h *Handler) AddToStore(ctx context.Context, req *messages.AddToStoreRequest, in io.Reader) (*messages.AddToStoreReply, error) {
	if hello, _ := server.HelloFrom(ctx); hello.Proto.AtLeast(1, 25) {
		m, algo, err := contentaddress.ParseMethod(string(req.CAMethod))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
		kind := dumpContents
		if m == contentaddress.NAR {
			kind = dumpNAR
		}
		info, err := h.addDump(ctx, req.Name, m, algo, req.References, kind, in)
		if err != nil {
			return nil, addErr(req.Name, err)
		}
		return &messages.AddToStoreReply{Info: *info}, nil
	}
	algoName, recursive := req.HashAlgo, req.Recursive
	if !req.Fixed {
		// Nix's compatibility hack: "not fixed" meant recursive sha256.
		algoName, recursive = "sha256", true
	}
	algo, err := nixhash.ParseAlgorithm(algoName)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	m := contentaddress.Flat
	if recursive {
		m = contentaddress.NAR
	}
	info, err := h.addDump(ctx, req.Name, m, algo, nil, dumpNAR, in)
	if err != nil {
		return nil, addErr(req.Name, err)
	}
	return &messages.AddToStoreReply{Path: info.Path}, nil
}

// AddTextToStore adds a text file with references, as "text:sha256".
func (h *Handler) AddTextToStore(ctx context.Context, req *messages.AddTextToStoreRequest) (*messages.AddTextToStoreReply, error) {
	info, err := h.addDump(ctx, req.Name, contentaddress.Text, nixhash.SHA256, req.References, dumpContents, bytes.NewReader(req.Text))
	if err != nil {
		return nil, addErr(req.Name, err)
	}
	return &messages.AddTextToStoreReply{Path: info.Path}, nil
}

// addErr names the upload in an AddToStore error; a reference that is not
// valid is said as Nix's daemon says it, alone.
func addErr(name string, err error) error {
	var pe *PathError
	if errors.As(err, &pe) && errors.Is(pe.Err, store.ErrNotValid) {
		return err
	}
	return fmt.Errorf("cannot add %s to the store: %w", quote(name), err)
}

// AddToStoreNar imports a path with its metadata and NAR, whatever the
// transport (framed, pulled with STDERR_READ, raw): the server hands the
// data over as in.
func (h *Handler) AddToStoreNar(ctx context.Context, req *messages.AddToStoreNarRequest, in io.Reader) error {
	info := req.Info
	return h.importPath(ctx, &info, req.DontCheckSigs, in)
}

// AddMultipleToStore imports the paths of one framed stream: a u64 count,
// then for each path its ValidPathInfo (always at 1.16) and its NAR. Each
// path is checked and registered before the next is read; the first
// failure ends the operation (the server drains the rest of the stream).
func (h *Handler) AddMultipleToStore(ctx context.Context, req *messages.AddMultipleToStoreRequest, in io.Reader) error {
	r := wire.NewReader(in)
	n, err := r.Uint64()
	if err != nil {
		return fmt.Errorf("AddMultipleToStore: reading the count: %w", err)
	}
	for i := uint64(0); i < n; i++ {
		var e messages.AddMultipleToStoreEntry
		if err := e.DecodeWire(r, wire.Proto{}); err != nil {
			return fmt.Errorf("AddMultipleToStore: path %d of %d: %w", i+1, n, err)
		}
		// Nix's daemon never takes ultimate trust from this stream.
		e.Info.Ultimate = false
		// A store reads one NAR; the limit keeps one that reads to the
		// end of its reader from eating the paths after this one.
		nar := io.LimitReader(r, int64(min(e.Info.NarSize, math.MaxInt64)))
		if err := h.importPath(ctx, &e.Info, req.DontCheckSigs, nar); err != nil {
			return err
		}
	}
	return nil
}

// importPath is AddToStoreNar and one path of AddMultipleToStore: Nix's
// trust rules, then the NAR, checked against a content address it
// declares as it streams past, to Store.AddPath.
func (h *Handler) importPath(ctx context.Context, info *messages.ValidPathInfo, dontCheckSigs bool, nar io.Reader) error {
	trusted := true
	if ss := server.SessionFrom(ctx); ss != nil {
		trusted = ss.Trusted()
	}
	if !trusted {
		dontCheckSigs = false
		info.Ultimate = false
	}
	src := nar
	if info.CA != "" {
		v, err := h.caVerifier(info, nar)
		if err != nil {
			return pathErr("cannot add path", info.Path, err)
		}
		defer v.close()
		src = v
	}
	if h.RequireSigs && !dontCheckSigs {
		if err := h.checkSigs(info); errors.Is(err, ErrUnsigned) {
			return pathErr("cannot add path %s because it lacks a valid signature", info.Path, err)
		} else if err != nil {
			return pathErr("cannot add path", info.Path, err)
		}
	}
	if err := h.Store.AddPath(ctx, info, src); err != nil {
		return pathErr("cannot add path", info.Path, err)
	}
	h.added(ctx, info.Path)
	return nil
}

// added runs what follows a successful add: the path is unpacked into
// RealStoreDir. A failure there does not fail the upload (the path is
// valid and durable); it is logged.
func (h *Handler) added(ctx context.Context, p messages.StorePath) {
	if err := h.materialize(ctx, p); err != nil && h.Log != nil {
		h.Log.Warn("storehandler: cannot unpack a path into the real store directory", "path", p, "err", err)
	}
}
