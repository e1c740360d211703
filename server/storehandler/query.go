package storehandler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/storepath"
	"github.com/nixwire/nixwire/wire"
)

// IsValidPath reports whether the path is registered.
func (h *Handler) IsValidPath(ctx context.Context, req *messages.IsValidPathRequest) (*messages.IsValidPathReply, error) {
	ok, err := h.Store.IsValid(ctx, req.Path)
	if err != nil {
		return nil, err
	}
	return &messages.IsValidPathReply{Valid: ok}, nil
}

// QueryValidPaths returns the valid ones among the paths; there is nothing
// to substitute, so the flag has no effect.
func (h *Handler) QueryValidPaths(ctx context.Context, req *messages.QueryValidPathsRequest) (*messages.QueryValidPathsReply, error) {
	valid, err := h.Store.QueryValidPaths(ctx, req.Paths)
	if err != nil {
		return nil, err
	}
	return &messages.QueryValidPathsReply{Valid: valid}, nil
}

// QueryPathInfo returns a path's metadata, none for a path that is not
// valid (the protocol's answer from 1.17, the oldest client served).
func (h *Handler) QueryPathInfo(ctx context.Context, req *messages.QueryPathInfoRequest) (*messages.QueryPathInfoReply, error) {
	info, err := h.Store.QueryPathInfo(ctx, req.Path)
	if errors.Is(err, store.ErrNotValid) {
		return &messages.QueryPathInfoReply{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &messages.QueryPathInfoReply{Info: store.Unkeyed(info)}, nil
}

// QueryPathHash (obsolete) returns a valid path's NAR hash.
func (h *Handler) QueryPathHash(ctx context.Context, req *messages.QueryPathHashRequest) (*messages.QueryPathHashReply, error) {
	info, err := h.validInfo(ctx, req.Path)
	if err != nil {
		return nil, err
	}
	return &messages.QueryPathHashReply{Hash: info.NarHash}, nil
}

// QueryReferences (obsolete) returns a valid path's references.
func (h *Handler) QueryReferences(ctx context.Context, req *messages.QueryReferencesRequest) (*messages.QueryReferencesReply, error) {
	info, err := h.validInfo(ctx, req.Path)
	if err != nil {
		return nil, err
	}
	return &messages.QueryReferencesReply{References: info.References}, nil
}

// QueryDeriver (obsolete) returns a valid path's deriver.
func (h *Handler) QueryDeriver(ctx context.Context, req *messages.QueryDeriverRequest) (*messages.QueryDeriverReply, error) {
	info, err := h.validInfo(ctx, req.Path)
	if err != nil {
		return nil, err
	}
	return &messages.QueryDeriverReply{Deriver: info.Deriver}, nil
}

// validInfo is QueryPathInfo for the ops that fail on a path that is not
// valid, with Nix's message.
func (h *Handler) validInfo(ctx context.Context, p messages.StorePath) (*messages.ValidPathInfo, error) {
	info, err := h.Store.QueryPathInfo(ctx, p)
	if errors.Is(err, store.ErrNotValid) {
		return nil, notValid(p)
	}
	return info, err
}

// notValid is Nix's InvalidPath error, in its words.
func notValid(p messages.StorePath) error {
	return pathErr("path %s is not valid", p, store.ErrNotValid)
}

// QueryAllValidPaths returns every valid path.
func (h *Handler) QueryAllValidPaths(ctx context.Context, _ *messages.QueryAllValidPathsRequest) (*messages.QueryAllValidPathsReply, error) {
	ps, err := h.Store.QueryAllValidPaths(ctx)
	if err != nil {
		return nil, err
	}
	return &messages.QueryAllValidPathsReply{Paths: ps}, nil
}

// QueryReferrers returns the valid paths that refer to the path.
func (h *Handler) QueryReferrers(ctx context.Context, req *messages.QueryReferrersRequest) (*messages.QueryReferrersReply, error) {
	ps, err := h.Store.QueryReferrers(ctx, req.Path)
	if err != nil {
		return nil, err
	}
	return &messages.QueryReferrersReply{Referrers: ps}, nil
}

// QueryPathFromHashPart returns the valid path with the hash part, or none.
func (h *Handler) QueryPathFromHashPart(ctx context.Context, req *messages.QueryPathFromHashPartRequest) (*messages.QueryPathFromHashPartReply, error) {
	// As Nix: only the length is checked; any other string of 32 bytes
	// simply names no path.
	if len(req.HashPart) != storepath.HashLen {
		return nil, errors.New("invalid hash part")
	}
	p, err := h.Store.QueryPathFromHashPart(ctx, req.HashPart)
	if err != nil {
		return nil, err
	}
	return &messages.QueryPathFromHashPartReply{Path: p}, nil
}

// QuerySubstitutablePaths finds none: the store has no substituters.
func (h *Handler) QuerySubstitutablePaths(context.Context, *messages.QuerySubstitutablePathsRequest) (*messages.QuerySubstitutablePathsReply, error) {
	return &messages.QuerySubstitutablePathsReply{}, nil
}

// QuerySubstitutablePathInfos finds none.
func (h *Handler) QuerySubstitutablePathInfos(context.Context, *messages.QuerySubstitutablePathInfosRequest) (*messages.QuerySubstitutablePathInfosReply, error) {
	return &messages.QuerySubstitutablePathInfosReply{}, nil
}

// HasSubstitutes (obsolete) finds none.
func (h *Handler) HasSubstitutes(context.Context, *messages.HasSubstitutesRequest) (*messages.HasSubstitutesReply, error) {
	return &messages.HasSubstitutesReply{}, nil
}

// QueryValidDerivers finds none: the store records no derivations'
// outputs.
func (h *Handler) QueryValidDerivers(context.Context, *messages.QueryValidDeriversRequest) (*messages.QueryValidDeriversReply, error) {
	return &messages.QueryValidDeriversReply{}, nil
}

// NarFromPath streams a valid path's NAR from the store, never buffering
// it. Unlike Nix's daemon (which serves whatever is on disk), a path that
// is not valid, or whose NAR the store cannot open (missing, or not of its
// registered size), is refused before the reply starts, so the client
// gets an ordinary error instead of a broken NAR; a NAR that ends early
// all the same fails the stream, which ends the connection (the client
// sees the NAR cut off, not a hang).
func (h *Handler) NarFromPath(ctx context.Context, req *messages.NarFromPathRequest) (wire.StreamFunc, error) {
	rc, _, err := h.Store.OpenNAR(ctx, req.Path)
	if errors.Is(err, store.ErrNotValid) {
		return nil, notValid(req.Path)
	}
	if err != nil {
		return nil, err
	}
	rc.Close()
	// The NAR is opened again when the stream runs, so that nothing is
	// left open when the reply never starts (a client gone during the
	// log).
	return func(w io.Writer) error {
		rc, size, err := h.Store.OpenNAR(ctx, req.Path)
		if err != nil {
			return err
		}
		defer rc.Close()
		// Chunks larger than the connection's write buffer go to the
		// socket directly, without a copy, in few system calls.
		buf := narBufs.Get().(*[]byte)
		defer narBufs.Put(buf)
		n, err := io.CopyBuffer(w, struct{ io.Reader }{io.LimitReader(rc, int64(min(size, math.MaxInt64)))}, *buf)
		if err == nil && uint64(n) != size {
			err = fmt.Errorf("the NAR of %s ended after %d of its %d bytes: %w", req.Path, n, size, io.ErrUnexpectedEOF)
		}
		return err
	}, nil
}

// narBufs are the buffers NarFromPath streams through (256 KiB each).
var narBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}
