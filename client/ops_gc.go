package client

import (
	"context"
	"math"

	"github.com/nixwire/nixwire/messages"
)

// FindRoots returns the garbage collector roots: (link, store path) pairs.
// Untrusted clients get censored links.
func (c *Conn) FindRoots(ctx context.Context) ([]messages.GCRoot, error) {
	var reply messages.FindRootsReply
	err := c.Do(ctx, messages.OpFindRoots, nil, &reply)
	return reply.Roots, err
}

// CollectGarbage runs the garbage collector as opts say (action, paths,
// the most bytes to free) and returns the paths returned or deleted and
// the bytes freed.
//
// opts.MaxFreed 0 means no limit: it is sent as the largest number, as
// Nix's own client does. (Daemons take 0 literally; Nix 2.8 and 2.26 then
// crash with an uncaught GCLimitReached as soon as a path is deleted.)
//
// opts.Paths is sent when the feature
// messages.FeatureDeleteDeadSpecificReferrers was not negotiated, and
// opts.Targets when it was. Either may be given: if Targets is nil where
// it is sent, it is made from Paths (no paths: the whole store), and where
// Paths is sent, Paths is taken from a GCPathsSpecific Targets; the field
// that is not on the wire is cleared, since encoding refuses to drop a
// value.
func (c *Conn) CollectGarbage(ctx context.Context, opts messages.GCOptions) (*messages.GCResults, error) {
	if opts.MaxFreed == 0 {
		opts.MaxFreed = math.MaxUint64
	}
	if c.Proto().Has(messages.FeatureDeleteDeadSpecificReferrers) {
		if opts.Targets == nil {
			if len(opts.Paths) == 0 {
				opts.Targets = &messages.GCPathsWholeStore{}
			} else {
				opts.Targets = &messages.GCPathsSpecific{Paths: opts.Paths}
			}
		}
		opts.Paths = nil
	} else {
		if t, ok := opts.Targets.(*messages.GCPathsSpecific); ok && t != nil && len(opts.Paths) == 0 {
			opts.Paths = t.Paths
		}
		opts.Targets = nil
	}
	var reply messages.GCResults
	if err := c.Do(ctx, messages.OpCollectGarbage, &opts, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}
