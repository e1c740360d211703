package client

import (
	"context"
	"sync"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// msg is a pointer to a generated message type T.
type msg[T any] interface {
	*T
	wire.Message
}

// scratch holds the request and the reply of one call of an op.
type scratch[Q, R any] struct {
	req   Q
	reply R
}

// msgPool reuses the messages of one op across calls, so that a typed
// method allocates only what the reply decodes to: passed to Do, messages
// live on the heap (the read loop decodes into the reply), and a fresh
// pair per call would be garbage at once.
type msgPool[Q, R any] struct{ p sync.Pool }

// doPooled runs the op code with req, in pooled messages, and returns the
// reply. The messages go back to the pool only after a call that ended
// normally: after an error the Conn's read loop may still hold them.
func doPooled[Q, R any, PQ msg[Q], PR msg[R]](c *Conn, ctx context.Context, mp *msgPool[Q, R], code messages.WorkerOpCode, req Q) (R, error) {
	s, _ := mp.p.Get().(*scratch[Q, R])
	if s == nil {
		s = new(scratch[Q, R])
	}
	s.req = req
	err := c.Do(ctx, code, PQ(&s.req), PR(&s.reply))
	reply := s.reply
	if err == nil {
		*s = scratch[Q, R]{}
		mp.p.Put(s)
	}
	return reply, err
}
