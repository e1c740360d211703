//lint:file-ignore SA1019 the typed methods of obsolete ops that 2.8–2.34 daemons still serve

package client

import (
	"context"
	"fmt"
	"io"

	"github.com/nixwire/nixwire/messages"
)

// The typed methods of obsolete ops, for daemons and protocols that
// predate their replacements (Nix 2.35 removed most of them). Each names
// its replacement.

// HasSubstitutes reports whether a substituter has path. Obsolete since
// 1.12: use QuerySubstitutablePaths.
func (c *Conn) HasSubstitutes(ctx context.Context, path messages.StorePath) (bool, error) {
	var reply messages.HasSubstitutesReply
	err := c.Do(ctx, messages.OpHasSubstitutes, &messages.HasSubstitutesRequest{Path: path}, &reply)
	return reply.HasSubstitutes, err
}

// QueryPathHash returns the NAR hash of path (base16). Obsolete since
// 1.16: use QueryPathInfo.
func (c *Conn) QueryPathHash(ctx context.Context, path messages.StorePath) (messages.NarHash, error) {
	var reply messages.QueryPathHashReply
	err := c.Do(ctx, messages.OpQueryPathHash, &messages.QueryPathHashRequest{Path: path}, &reply)
	return reply.Hash, err
}

// SyncWithGC waits for a running garbage collection to finish. A no-op
// since 1.32.
func (c *Conn) SyncWithGC(ctx context.Context) error {
	return c.Do(ctx, messages.OpSyncWithGC, nil, nil)
}

// QuerySubstitutablePathInfo returns what a substituter knows about path,
// or nil. Obsolete since 1.12: use QuerySubstitutablePathInfos.
func (c *Conn) QuerySubstitutablePathInfo(ctx context.Context, path messages.StorePath) (*messages.SubstitutablePathInfo, error) {
	var reply messages.QuerySubstitutablePathInfoReply
	err := c.Do(ctx, messages.OpQuerySubstitutablePathInfo, &messages.QuerySubstitutablePathInfoRequest{Path: path}, &reply)
	return reply.Info, err
}

// QueryDerivationOutputNames returns the output names of the derivation
// drvPath. Obsolete since 1.22: use QueryDerivationOutputMap.
func (c *Conn) QueryDerivationOutputNames(ctx context.Context, drvPath messages.StorePath) ([]messages.OutputName, error) {
	var reply messages.QueryDerivationOutputNamesReply
	err := c.Do(ctx, messages.OpQueryDerivationOutputNames, &messages.QueryDerivationOutputNamesRequest{DrvPath: drvPath}, &reply)
	return reply.Names, err
}

// ExportPath writes path in Nix's export format (its NAR and metadata) to
// w. That is one path's part of what `nix-store --export` writes, which
// puts a u64 1 before each path and a u64 0 after the last; ImportPaths
// reads the latter. Obsolete since 1.17: use NarFromPath.
func (c *Conn) ExportPath(ctx context.Context, path messages.StorePath, w io.Writer) error {
	if w == nil {
		return fmt.Errorf("client: ExportPath: nil writer")
	}
	return c.DoStream(ctx, messages.OpExportPath, &messages.ExportPathRequest{Path: path}, nil, nil, w)
}

// ImportPaths imports paths in the format of `nix-store --export`, read
// from r (the daemon pulls it), and returns them, as `nix-store --import`
// does. The
// daemon must trust the client. Obsolete since 1.18: use AddToStoreNar or
// AddMultipleToStore.
func (c *Conn) ImportPaths(ctx context.Context, r io.Reader) ([]messages.StorePath, error) {
	if r == nil {
		return nil, fmt.Errorf("client: ImportPaths: nil reader")
	}
	var reply messages.ImportPathsReply
	err := c.DoStream(ctx, messages.OpImportPaths, nil, &reply, r, nil)
	return reply.Paths, err
}
