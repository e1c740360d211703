package client

import (
	"context"
	"fmt"
	"io"
	"path"

	"github.com/nixwire/nixwire/messages"
)

// QueryValidDerivers returns the valid derivations known to produce path
// (protocol ≥ 1.13).
func (c *Conn) QueryValidDerivers(ctx context.Context, path messages.StorePath) ([]messages.StorePath, error) {
	var reply messages.QueryValidDeriversReply
	err := c.Do(ctx, messages.OpQueryValidDerivers, &messages.QueryValidDeriversRequest{Path: path}, &reply)
	return reply.Derivers, err
}

// QueryDerivationOutputs returns the output paths of the derivation
// drvPath (protocol ≥ 1.5). The op is obsolete: from 1.22, which has it,
// QueryDerivationOutputMap also says which output is which.
func (c *Conn) QueryDerivationOutputs(ctx context.Context, drvPath messages.StorePath) ([]messages.StorePath, error) {
	var reply messages.QueryDerivationOutputsReply
	//lint:ignore SA1019 the typed method of an op that daemons still serve
	err := c.Do(ctx, messages.OpQueryDerivationOutputs, &messages.QueryDerivationOutputsRequest{DrvPath: drvPath}, &reply)
	return reply.Outputs, err
}

// QueryDeriver returns the deriver recorded for path, or "" if none is.
// The op is obsolete since 1.16, where QueryPathInfo gives it too.
func (c *Conn) QueryDeriver(ctx context.Context, path messages.StorePath) (messages.StorePath, error) {
	var reply messages.QueryDeriverReply
	//lint:ignore SA1019 the typed method of an op that daemons still serve
	err := c.Do(ctx, messages.OpQueryDeriver, &messages.QueryDeriverRequest{Path: path}, &reply)
	return reply.Deriver, err
}

// QuerySubstitutablePathInfos returns what the substituters know about the
// paths they have among paths (protocol ≥ 1.12): the keys of paths, each
// with its content address or "" (the addresses are sent from 1.22, so
// that substituters can find content-addressed paths).
func (c *Conn) QuerySubstitutablePathInfos(ctx context.Context, paths map[messages.StorePath]messages.ContentAddress) (map[messages.StorePath]messages.SubstitutablePathInfo, error) {
	req := &messages.QuerySubstitutablePathInfosRequest{PathsCA: paths}
	if !c.Proto().AtLeast(1, 22) {
		req = &messages.QuerySubstitutablePathInfosRequest{Paths: make([]messages.StorePath, 0, len(paths))}
		for p := range paths {
			req.Paths = append(req.Paths, p)
		}
	}
	var reply messages.QuerySubstitutablePathInfosReply
	err := c.Do(ctx, messages.OpQuerySubstitutablePathInfos, req, &reply)
	return reply.Infos, err
}

// BuildDerivation builds drv, the derivation stored at drvPath, without
// the derivation being valid in the daemon's store (protocol ≥ 1.14; Nix's
// remote builders use it), and returns its result. A failed build is
// reported in the result, not as an error. The daemon must trust the
// client unless drv is content-addressed.
func (c *Conn) BuildDerivation(ctx context.Context, drvPath messages.StorePath, drv *messages.BasicDerivation, mode messages.BuildMode) (*messages.BuildResult, error) {
	if drv == nil {
		return nil, fmt.Errorf("client: BuildDerivation: nil derivation")
	}
	var reply messages.BuildResult
	if err := c.Do(ctx, messages.OpBuildDerivation, &messages.BuildDerivationRequest{DrvPath: drvPath, Drv: *drv, Mode: mode}, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}

// RegisterDrvOutput records the realisation of a derivation output
// (protocol ≥ 1.27; content-addressed derivations): req holds the fields
// of the negotiated protocol (LegacyID and LegacyOutPath below 1.31,
// RealisationJSON from 1.31, Realisation with the feature
// messages.FeatureRealisationWithPathNotHash). Needs a trusted client.
func (c *Conn) RegisterDrvOutput(ctx context.Context, req *messages.RegisterDrvOutputRequest) error {
	if req == nil {
		return fmt.Errorf("client: RegisterDrvOutput: nil request")
	}
	return c.Do(ctx, messages.OpRegisterDrvOutput, req, nil)
}

// QueryRealisation returns what the daemon knows of the realisation of a
// derivation output (protocol ≥ 1.27), in the reply's field of the
// negotiated protocol: OutPaths below 1.31, Realisations from 1.31,
// Realisation with messages.FeatureRealisationWithPathNotHash; empty when
// the output is not realised.
func (c *Conn) QueryRealisation(ctx context.Context, req *messages.QueryRealisationRequest) (*messages.QueryRealisationReply, error) {
	if req == nil {
		return nil, fmt.Errorf("client: QueryRealisation: nil request")
	}
	var reply messages.QueryRealisationReply
	if err := c.Do(ctx, messages.OpQueryRealisation, req, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}

// AddBuildLog stores log as the build log of the derivation drvPath
// (protocol ≥ 1.32); it is streamed. Needs a trusted client.
func (c *Conn) AddBuildLog(ctx context.Context, drvPath messages.StorePath, log io.Reader) error {
	if log == nil {
		return fmt.Errorf("client: AddBuildLog: nil log")
	}
	req := &messages.AddBuildLogRequest{DrvBaseName: path.Base(string(drvPath))}
	return c.DoStream(ctx, messages.OpAddBuildLog, req, nil, log, nil)
}

// AddPermRoot makes path a permanent garbage collector root, a symlink at
// gcRoot (an absolute path outside the store), and returns the root's
// path (protocol ≥ 1.36). Needs a trusted client.
func (c *Conn) AddPermRoot(ctx context.Context, path messages.StorePath, gcRoot string) (string, error) {
	var reply messages.AddPermRootReply
	err := c.Do(ctx, messages.OpAddPermRoot, &messages.AddPermRootRequest{Path: path, GCRoot: gcRoot}, &reply)
	return reply.GCRoot, err
}
