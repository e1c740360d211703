package storehandler

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/server"
)

// AddTempRoot makes the path a temporary root of the connection: the
// roots of a connection are forgotten when it ends, as Nix's are when its
// client's temproots file goes away.
func (h *Handler) AddTempRoot(ctx context.Context, req *messages.AddTempRootRequest) (*messages.Ack, error) {
	owner := "local"
	if ss := server.SessionFrom(ctx); ss != nil {
		owner = "conn-" + strconv.FormatUint(ss.ID(), 10)
		first := h.markRooted(ss.ID())
		if first {
			ss.OnClose(func() {
				h.Store.RemoveTempRoots(context.Background(), owner)
				h.unmarkRooted(ss.ID())
			})
		}
	}
	if err := h.Store.AddTempRoot(ctx, owner, req.Path); err != nil {
		return nil, err
	}
	return &messages.Ack{}, nil
}

// markRooted records that connection id has temporary roots, and reports
// whether it is the first time (when the close hook must be registered).
func (h *Handler) markRooted(id uint64) bool {
	h.rootsMu.Lock()
	defer h.rootsMu.Unlock()
	if h.rooted == nil {
		h.rooted = map[uint64]bool{}
	}
	if h.rooted[id] {
		return false
	}
	h.rooted[id] = true
	return true
}

func (h *Handler) unmarkRooted(id uint64) {
	h.rootsMu.Lock()
	defer h.rootsMu.Unlock()
	delete(h.rooted, id)
}

// AddIndirectRoot records a symbolic link outside the store as a root.
func (h *Handler) AddIndirectRoot(ctx context.Context, req *messages.AddIndirectRootRequest) (*messages.Ack, error) {
	if err := h.Store.AddIndirectRoot(ctx, req.Path); err != nil {
		return nil, err
	}
	return &messages.Ack{}, nil
}

// FindRoots returns the roots in Nix's order (grouped by store path),
// each (link, path) once. Untrusted clients get the links of temporary
// roots (which name other clients' processes) as "{censored}", as from
// Nix's daemon; indirect roots keep their links.
func (h *Handler) FindRoots(ctx context.Context, _ *messages.FindRootsRequest) (*messages.FindRootsReply, error) {
	roots, err := h.Store.FindRoots(ctx)
	if err != nil {
		return nil, err
	}
	censor := false
	if ss := server.SessionFrom(ctx); ss != nil {
		censor = !ss.Trusted()
	}
	out := make([]messages.GCRoot, 0, len(roots))
	for _, r := range roots {
		link := r.Link
		if censor && strings.HasPrefix(link, "{temp:") {
			link = "{censored}"
		}
		out = append(out, messages.GCRoot{Link: link, Path: r.Path})
	}
	slices.SortStableFunc(out, func(a, b messages.GCRoot) int {
		if c := strings.Compare(string(a.Path), string(b.Path)); c != 0 {
			return c
		}
		return strings.Compare(a.Link, b.Link)
	})
	return &messages.FindRootsReply{Roots: slices.Compact(out)}, nil
}

// SyncWithGC does nothing, as in current Nix.
func (h *Handler) SyncWithGC(context.Context, *messages.SyncWithGCRequest) (*messages.Ack, error) {
	return &messages.Ack{}, nil
}

// AddSignatures adds signatures to a valid path. Nix's daemons crash on a
// path that is not valid; this one says so.
func (h *Handler) AddSignatures(ctx context.Context, req *messages.AddSignaturesRequest) (*messages.Ack, error) {
	if ss := server.SessionFrom(ctx); ss != nil && !ss.Trusted() {
		return nil, errNotTrusted("add signatures")
	}
	ok, err := h.Store.IsValid(ctx, req.Path)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notValid(req.Path)
	}
	if err := h.Store.AddSignatures(ctx, req.Path, req.Sigs); err != nil {
		return nil, err
	}
	return &messages.Ack{}, nil
}
