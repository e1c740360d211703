package client

import (
	"context"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Pending is an operation started by Conn.Start: sent (or on its way) and
// not yet answered. Its zero value is not usable.
type Pending struct {
	c   *Conn
	ctx context.Context
	cl  *call
	err error // why it could not be started

	decoded func() // run after a successful Wait (see Conn.prepare)
}

// Start starts the operation code, as Do would run it, and returns at once
// (once the request is handed to the Conn's write loop; it blocks only
// while that loop has a backlog) without waiting for the reply: many
// operations can be in flight on one Conn, which the daemon answers in
// order, so that N requests cost the daemon's time instead of N round
// trips. Concurrent callers of Do are pipelined the same way; Start lets
// one goroutine do it.
//
// The reply is decoded into reply by the Conn's read loop: do not touch
// reply before Wait returns. Call Wait exactly once for every Pending.
// Ops that carry data outside their messages need DoStream and cannot be
// started.
//
// ctx covers the whole operation, up to Wait: see the package
// documentation for what a context that ends does to the operation and
// the Conn.
func (c *Conn) Start(ctx context.Context, code messages.WorkerOpCode, req, reply wire.Message) Pending {
	cl, decoded, err := c.prepare(uint64(code), req, reply, nil, nil)
	if err != nil {
		return Pending{err: err}
	}
	if err := c.submit(ctx, cl); err != nil {
		return Pending{err: err}
	}
	return Pending{c: c, ctx: ctx, cl: cl, decoded: decoded}
}

// Wait waits for the operation's reply and returns what Do would.
func (p Pending) Wait() error {
	if p.cl == nil {
		return p.err
	}
	if err := p.c.wait(p.ctx, p.cl); err != nil {
		return err
	}
	if p.decoded != nil {
		p.decoded()
	}
	return nil
}

// QueryPathInfos is QueryPathInfo for many paths, pipelined: all requests
// are sent before the first reply is awaited. infos[i] is the metadata of
// paths[i], nil if it is not valid. The first error stops it (the
// operations already sent are still waited for).
func (c *Conn) QueryPathInfos(ctx context.Context, paths []messages.StorePath) (infos []*messages.ValidPathInfo, err error) {
	if len(paths) == 0 {
		return []*messages.ValidPathInfo{}, nil
	}
	if !c.Proto().AtLeast(1, 17) {
		// Invalid paths are errors before 1.17: one at a time.
		infos = make([]*messages.ValidPathInfo, len(paths))
		for i, p := range paths {
			if infos[i], err = c.QueryPathInfo(ctx, p); err != nil {
				return nil, err
			}
		}
		return infos, nil
	}
	replies := make([]messages.QueryPathInfoReply, len(paths))
	pending := make([]Pending, len(paths))
	reqs := make([]messages.QueryPathInfoRequest, len(paths))
	for i, p := range paths {
		reqs[i].Path = p
		pending[i] = c.Start(ctx, messages.OpQueryPathInfo, &reqs[i], &replies[i])
	}
	infos = make([]*messages.ValidPathInfo, len(paths))
	// Replies come in order, so the last one is waited for first: the
	// caller sleeps once instead of being woken for every reply, and the
	// others are done by then (Wait on a finished call does not block).
	last := pending[len(pending)-1].Wait()
	for i := range pending {
		werr := last
		if i < len(pending)-1 {
			werr = pending[i].Wait()
		}
		if werr != nil && err == nil {
			err = werr
		}
		if err == nil && replies[i].Info != nil {
			infos[i] = withPath(paths[i], replies[i].Info)
		}
	}
	if err != nil {
		return nil, err
	}
	return infos, nil
}
