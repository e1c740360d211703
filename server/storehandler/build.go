package storehandler

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/server"
)

// ErrNotTrusted reports an operation only trusted clients may run.
var ErrNotTrusted = errors.New("you are not privileged to do this")

// errNotTrusted is ErrNotTrusted in Nix's words for one operation: "you
// are not privileged to " what.
func errNotTrusted(what string) error {
	return &notTrustedError{what}
}

type notTrustedError struct{ what string }

func (e *notTrustedError) Error() string        { return "you are not privileged to " + e.what }
func (e *notTrustedError) Is(target error) bool { return target == ErrNotTrusted }

// opaque returns the store path of a deriving path that names one (no
// "!outputs"), and whether it does. Before 1.30 a bare derivation path
// means all its outputs, so it is not opaque there.
func opaque(ctx context.Context, d messages.DerivedPath) (messages.StorePath, bool) {
	if strings.IndexByte(string(d), '!') >= 0 {
		return "", false
	}
	if hello, ok := server.HelloFrom(ctx); ok && !hello.Proto.AtLeast(1, 30) && strings.HasSuffix(string(d), ".drv") {
		return "", false
	}
	return messages.StorePath(d), true
}

// drvOf returns the derivation of a deriving path: the part before '!'
// (or the path itself).
func drvOf(d messages.DerivedPath) messages.StorePath {
	p, _, _ := strings.Cut(string(d), "!")
	return messages.StorePath(p)
}

// BuildPaths succeeds when every target is a valid path (there is nothing
// to build, as Nix's daemon then does nothing); anything else would need a
// build or a substitution, which this store cannot do.
func (h *Handler) BuildPaths(ctx context.Context, req *messages.BuildPathsRequest) (*messages.Ack, error) {
	if err := h.checkBuilt(ctx, req.Targets); err != nil {
		return nil, err
	}
	return &messages.Ack{}, nil
}

// checkBuilt fails with ErrCannotBuild unless every target is a valid
// path, or outputs of a valid derivation that are all valid.
func (h *Handler) checkBuilt(ctx context.Context, targets []messages.DerivedPath) error {
	for _, t := range targets {
		p, ok := opaque(ctx, t)
		if !ok {
			built, err := h.outputsValid(ctx, t)
			if err != nil {
				return err
			}
			if !built {
				return cannotBuild(string(t))
			}
			continue
		}
		valid, err := h.Store.IsValid(ctx, p)
		if err != nil {
			return err
		}
		if !valid {
			return cannotBuild(string(p))
		}
	}
	return nil
}

// BuildPathsWithResults reports valid paths as AlreadyValid (what `nix
// copy` and `nix build` ask of a store before they use its paths); a
// target that would need a build or a substitution fails the operation.
func (h *Handler) BuildPathsWithResults(ctx context.Context, req *messages.BuildPathsWithResultsRequest) (*messages.BuildPathsWithResultsReply, error) {
	if err := h.checkBuilt(ctx, req.Targets); err != nil {
		return nil, err
	}
	reply := &messages.BuildPathsWithResultsReply{Results: make([]messages.KeyedBuildResult, len(req.Targets))}
	for i, t := range req.Targets {
		reply.Results[i] = messages.KeyedBuildResult{Path: t, Result: messages.BuildResult{Status: messages.BuildStatusAlreadyValid}}
	}
	return reply, nil
}

// BuildDerivation refuses: this store cannot build.
func (h *Handler) BuildDerivation(_ context.Context, req *messages.BuildDerivationRequest) (*messages.BuildResult, error) {
	return nil, cannotBuild(string(req.DrvPath))
}

func cannotBuild(what string) error {
	return fmt.Errorf("cannot build %s: %w", quote(what), ErrCannotBuild)
}

// ErrNoSubstituter reports a path EnsurePath cannot make valid.
var ErrNoSubstituter = errors.New("no substituter can make the path valid")

// EnsurePath succeeds for a valid path; for any other it fails as Nix's
// daemon does without a substituter that has it.
func (h *Handler) EnsurePath(ctx context.Context, req *messages.EnsurePathRequest) (*messages.Ack, error) {
	ok, err := h.Store.IsValid(ctx, req.Path)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, pathErr("path %s does not exist and cannot be created", req.Path, ErrNoSubstituter)
	}
	return &messages.Ack{}, nil
}

// QueryMissing reports every target that is not valid as unknown (for a
// derivation's outputs: the derivation, as Nix does when it is not valid;
// this store never builds, so a valid derivation whose outputs are not
// all valid is unknown too; one whose outputs are is not missing).
// Nothing will be built or substituted.
func (h *Handler) QueryMissing(ctx context.Context, req *messages.QueryMissingRequest) (*messages.Missing, error) {
	var unknown []messages.StorePath
	for _, t := range req.Targets {
		p, ok := opaque(ctx, t)
		if !ok {
			// Outputs already valid need nothing; others this store
			// cannot build.
			built, err := h.outputsValid(ctx, t)
			if err != nil {
				return nil, err
			}
			if !built {
				unknown = append(unknown, drvOf(t))
			}
			continue
		}
		valid, err := h.Store.IsValid(ctx, p)
		if err != nil {
			return nil, err
		}
		if !valid {
			unknown = append(unknown, p)
		}
	}
	return &messages.Missing{Unknown: sortedPaths(unknown)}, nil
}

// SetOptions accepts the client's settings; the store has none that they
// change (the server applies the verbosity to the log).
func (h *Handler) SetOptions(context.Context, *messages.ClientSettings) error { return nil }
