package client

import (
	"context"

	"github.com/nixwire/nixwire/messages"
)

// BuildPaths builds or substitutes targets (deriving paths such as
// "/nix/store/…-foo.drv!out" or "/nix/store/…-bar.drv!*", or opaque store
// paths). Build failures are *DaemonErrors; the Conn stays usable.
func (c *Conn) BuildPaths(ctx context.Context, targets []messages.DerivedPath, mode messages.BuildMode) error {
	return c.Do(ctx, messages.OpBuildPaths, &messages.BuildPathsRequest{Targets: targets, Mode: mode}, nil)
}

// BuildPathsWithResults is BuildPaths returning one result per target; a
// failed build is reported in its result, not as an error.
//
// Below protocol 1.34, which lacks the op, it falls back as Nix's client
// does: BuildPaths, whose failure is an error, and then a result for each
// target: Substituted for an opaque path, Built for a derivation's
// outputs. The fallback's results carry no built outputs (Nix's fallback
// fills them from realisations, which need the derivation's hash) and no
// times.
func (c *Conn) BuildPathsWithResults(ctx context.Context, targets []messages.DerivedPath, mode messages.BuildMode) ([]messages.KeyedBuildResult, error) {
	if !c.Proto().AtLeast(1, 34) {
		if err := c.BuildPaths(ctx, targets, mode); err != nil {
			return nil, err
		}
		results := make([]messages.KeyedBuildResult, len(targets))
		for i, t := range targets {
			status := messages.BuildStatusBuilt
			if d, err := messages.ParseDerivedPath(t, c.Proto()); err == nil && !d.Built {
				status = messages.BuildStatusSubstituted
			}
			results[i] = messages.KeyedBuildResult{Path: t, Result: messages.BuildResult{Status: status}}
		}
		return results, nil
	}
	var reply messages.BuildPathsWithResultsReply
	err := c.Do(ctx, messages.OpBuildPathsWithResults, &messages.BuildPathsWithResultsRequest{Targets: targets, Mode: mode}, &reply)
	return reply.Results, err
}

// SetOptions sends new client settings for the rest of the connection
// (Handshake sends Options.Settings already).
func (c *Conn) SetOptions(ctx context.Context, settings *messages.ClientSettings) error {
	return c.Do(ctx, messages.OpSetOptions, settings, nil)
}

// OptimiseStore deduplicates the store's files by hard-linking.
func (c *Conn) OptimiseStore(ctx context.Context) error {
	return c.Do(ctx, messages.OpOptimiseStore, nil, nil)
}

// VerifyOptions are the options of VerifyStore.
type VerifyOptions struct {
	// CheckContents makes the daemon hash every path's contents.
	CheckContents bool
	// Repair makes it repair what it finds broken; it needs a trusted
	// client.
	Repair bool
}

// VerifyStore checks the store's consistency as opt says and reports
// whether errors were found.
func (c *Conn) VerifyStore(ctx context.Context, opt VerifyOptions) (bool, error) {
	var reply messages.VerifyStoreReply
	err := c.Do(ctx, messages.OpVerifyStore, &messages.VerifyStoreRequest{CheckContents: opt.CheckContents, Repair: opt.Repair}, &reply)
	return reply.ErrorsFound, err
}
