package client

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/nixwire/nixwire/messages"
)

// Pools of the messages of the typed methods (see msgPool).
var (
	isValidPool       msgPool[messages.IsValidPathRequest, messages.IsValidPathReply]
	validPathsPool    msgPool[messages.QueryValidPathsRequest, messages.QueryValidPathsReply]
	allValidPool      msgPool[messages.QueryAllValidPathsRequest, messages.QueryAllValidPathsReply]
	referrersPool     msgPool[messages.QueryReferrersRequest, messages.QueryReferrersReply]
	hashPartPool      msgPool[messages.QueryPathFromHashPartRequest, messages.QueryPathFromHashPartReply]
	outputMapPool     msgPool[messages.QueryDerivationOutputMapRequest, messages.QueryDerivationOutputMapReply]
	substitutablePool msgPool[messages.QuerySubstitutablePathsRequest, messages.QuerySubstitutablePathsReply]
)

// IsValidPath reports whether path is valid (registered) in the store.
func (c *Conn) IsValidPath(ctx context.Context, path messages.StorePath) (bool, error) {
	reply, err := doPooled(c, ctx, &isValidPool, messages.OpIsValidPath, messages.IsValidPathRequest{Path: path})
	return reply.Valid, err
}

// pathInfoScratch holds the messages of QueryPathInfo, reused across
// calls; reply.Info stays allocated, so that only what a reply holds
// (strings and slices) is allocated by decoding.
type pathInfoScratch struct {
	req   messages.QueryPathInfoRequest
	reply messages.QueryPathInfoReply
}

var pathInfoPool = sync.Pool{New: func() any {
	return &pathInfoScratch{reply: messages.QueryPathInfoReply{Info: new(messages.UnkeyedValidPathInfo)}}
}}

// recycle clears what the caller now owns and returns s to the pool.
func (s *pathInfoScratch) recycle() {
	info := s.reply.Info
	if info == nil {
		info = new(messages.UnkeyedValidPathInfo)
	}
	*info = messages.UnkeyedValidPathInfo{}
	*s = pathInfoScratch{reply: messages.QueryPathInfoReply{Info: info}}
	pathInfoPool.Put(s)
}

// QueryPathInfo returns the metadata of path, or nil (and no error) if the
// path is not valid. Before protocol 1.17 the daemon reports an invalid
// path as an error, which is recognised as Nix's client does, by its
// message.
func (c *Conn) QueryPathInfo(ctx context.Context, path messages.StorePath) (*messages.ValidPathInfo, error) {
	s := pathInfoPool.Get().(*pathInfoScratch)
	s.req.Path = path
	err := c.Do(ctx, messages.OpQueryPathInfo, &s.req, &s.reply)
	if err != nil {
		// Not recycled: the Conn's read loop may still hold it.
		return c.pathInfoResult(path, &s.reply, err)
	}
	info, err := c.pathInfoResult(path, &s.reply, nil)
	s.recycle()
	return info, err
}

// pathInfoResult turns the outcome of QueryPathInfo into its result. The
// result shares no memory with reply but its strings and slices.
func (c *Conn) pathInfoResult(path messages.StorePath, reply *messages.QueryPathInfoReply, err error) (*messages.ValidPathInfo, error) {
	if err != nil {
		var de *DaemonError
		if errors.As(err, &de) && !de.Closed && !c.Proto().AtLeast(1, 17) && strings.Contains(StripANSI(de.Message), "is not valid") {
			return nil, nil
		}
		return nil, err
	}
	info := &reply.LegacyInfo
	if c.Proto().AtLeast(1, 17) {
		if reply.Info == nil {
			return nil, nil
		}
		info = reply.Info
	}
	return withPath(path, info), nil
}

// withPath returns the ValidPathInfo of path with the metadata info.
func withPath(path messages.StorePath, info *messages.UnkeyedValidPathInfo) *messages.ValidPathInfo {
	return &messages.ValidPathInfo{
		Path:             path,
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

// QueryValidPaths returns those of paths that are valid. With substitute
// (protocol ≥ 1.27) the daemon first tries to substitute the missing ones.
func (c *Conn) QueryValidPaths(ctx context.Context, paths []messages.StorePath, substitute bool) ([]messages.StorePath, error) {
	reply, err := doPooled(c, ctx, &validPathsPool, messages.OpQueryValidPaths, messages.QueryValidPathsRequest{Paths: paths, Substitute: substitute})
	return reply.Valid, err
}

// QueryAllValidPaths returns every valid path in the store.
func (c *Conn) QueryAllValidPaths(ctx context.Context) ([]messages.StorePath, error) {
	reply, err := doPooled(c, ctx, &allValidPool, messages.OpQueryAllValidPaths, messages.QueryAllValidPathsRequest{})
	return reply.Paths, err
}

// QueryReferrers returns the valid paths that refer to path.
func (c *Conn) QueryReferrers(ctx context.Context, path messages.StorePath) ([]messages.StorePath, error) {
	reply, err := doPooled(c, ctx, &referrersPool, messages.OpQueryReferrers, messages.QueryReferrersRequest{Path: path})
	return reply.Referrers, err
}

// QueryPathFromHashPart returns the valid path whose hash part (the 32
// characters after the store directory) is hashPart, or "" if none is.
func (c *Conn) QueryPathFromHashPart(ctx context.Context, hashPart string) (messages.StorePath, error) {
	reply, err := doPooled(c, ctx, &hashPartPool, messages.OpQueryPathFromHashPart, messages.QueryPathFromHashPartRequest{HashPart: hashPart})
	return reply.Path, err
}

// QueryDerivationOutputMap returns the outputs of the derivation drvPath
// and their paths ("" where the path is not known yet).
func (c *Conn) QueryDerivationOutputMap(ctx context.Context, drvPath messages.StorePath) (map[messages.OutputName]messages.StorePath, error) {
	reply, err := doPooled(c, ctx, &outputMapPool, messages.OpQueryDerivationOutputMap, messages.QueryDerivationOutputMapRequest{DrvPath: drvPath})
	return reply.Outputs, err
}

// QuerySubstitutablePaths returns those of paths that a substituter has.
func (c *Conn) QuerySubstitutablePaths(ctx context.Context, paths []messages.StorePath) ([]messages.StorePath, error) {
	reply, err := doPooled(c, ctx, &substitutablePool, messages.OpQuerySubstitutablePaths, messages.QuerySubstitutablePathsRequest{Paths: paths})
	return reply.Substitutable, err
}

// QueryMissing returns what building targets would take: the derivations
// to build, the paths to substitute, the paths nothing is known about, and
// the download and unpacked sizes.
func (c *Conn) QueryMissing(ctx context.Context, targets []messages.DerivedPath) (*messages.Missing, error) {
	var reply messages.Missing
	if err := c.Do(ctx, messages.OpQueryMissing, &messages.QueryMissingRequest{Targets: targets}, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}
