package extend_test

import (
	"context"

	"github.com/nixwire/nixwire/examples/extend"
	"github.com/nixwire/nixwire/messages"
)

// acmed is a test double of Acme's daemon: an extend.ExtHandler that knows
// a few paths. It implements Nix's QueryPathInfo (served below 1.39), the
// re-declared QueryPathInfoTagged (from 1.39) and the new QueryProvenance;
// every other op answers "operation not supported" through the embedded
// UnimplementedExtHandler. Served with extend.NewExtDispatcher, it needs
// no hand-written dispatch.
type acmed struct {
	extend.UnimplementedExtHandler
	infos map[messages.StorePath]*messages.UnkeyedValidPathInfo
	tags  map[messages.StorePath][]extend.Tag
	provs map[messages.StorePath]*extend.Provenance
}

// newAcmed returns an acmed that knows hello.
func newAcmed() *acmed {
	prov := provenance()
	return &acmed{
		infos: map[messages.StorePath]*messages.UnkeyedValidPathInfo{helloPath: pathInfo()},
		tags:  map[messages.StorePath][]extend.Tag{helloPath: prov.Tags},
		provs: map[messages.StorePath]*extend.Provenance{helloPath: &prov},
	}
}

// QueryPathInfo is Nix's op: the metadata, or none.
func (a *acmed) QueryPathInfo(_ context.Context, req *messages.QueryPathInfoRequest) (*messages.QueryPathInfoReply, error) {
	return &messages.QueryPathInfoReply{Info: a.infos[req.Path]}, nil
}

// QueryPathInfoTagged is Nix's reply and the path's tags.
func (a *acmed) QueryPathInfoTagged(ctx context.Context, req *messages.QueryPathInfoRequest) (*extend.QueryPathInfoTaggedReply, error) {
	base, err := a.QueryPathInfo(ctx, req)
	if err != nil {
		return nil, err
	}
	return &extend.QueryPathInfoTaggedReply{QueryPathInfoReply: *base, Tags: a.tags[req.Path]}, nil
}

// QueryProvenance returns the record of a path, or none.
func (a *acmed) QueryProvenance(_ context.Context, req *extend.QueryProvenanceRequest) (*extend.QueryProvenanceReply, error) {
	return &extend.QueryProvenanceReply{Provenance: a.provs[req.Path]}, nil
}
