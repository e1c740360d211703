package main

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
)

// Sharing a large batch of path-info queries between connections.
const (
	// shareBlock is the number of paths a connection takes at a time.
	shareBlock = 256
	// maxHelpers bounds the extra connections of one batch.
	maxHelpers = 3
)

// helpers are extra connections being dialled for a large batch: a Nix
// daemon serves each connection with its own worker process, so that a
// batch shared between connections is answered by several workers.
type helpers struct {
	conns  chan *client.Conn // a dialled connection, or nil for a failed dial
	n      int
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// dialHelpers starts dialling the helpers of a batch of n paths: one per
// CPU beyond the first (maxHelpers at most), if the batch has more blocks
// than connections; none with -stdio. Dialling starts now, alongside the
// command's own connection.
func (e *env) dialHelpers(ctx context.Context, n int) *helpers {
	h := &helpers{n: min(runtime.NumCPU()-1, maxHelpers, n/shareBlock-1)}
	if h.n < 1 || e.store.stdio != "" {
		h.n = 0
		return h
	}
	h.conns = make(chan *client.Conn, h.n)
	ctx, h.cancel = context.WithCancel(ctx)
	for range h.n {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			c, err := e.dial(ctx)
			if err != nil {
				c = nil // the others do its share
			}
			h.conns <- c
		}()
	}
	return h
}

// close cancels the dials still running and closes every helper
// connection.
func (h *helpers) close() {
	if h.n == 0 {
		return
	}
	h.cancel()
	h.wg.Wait()
	close(h.conns)
	for c := range h.conns {
		if c != nil {
			c.Close()
		}
	}
}

// pathInfos is c.QueryPathInfos for many paths, shared with the helpers:
// every connection pulls blocks of shareBlock paths and pipelines them, c
// starting at once and each helper once it is dialled. Helpers still
// dialling when every block is taken are cancelled.
func (e *env) pathInfos(ctx context.Context, c *client.Conn, paths []messages.StorePath, h *helpers) ([]*messages.ValidPathInfo, error) {
	if h.n == 0 {
		return c.QueryPathInfos(ctx, paths)
	}
	defer h.close()
	infos := make([]*messages.ValidPathInfo, len(paths))
	var next atomic.Int64
	var errOnce sync.Once
	var firstErr error
	workCtx, cancelWork := context.WithCancel(ctx)
	defer cancelWork()
	work := func(c *client.Conn) {
		for {
			i := int(next.Add(shareBlock)) - shareBlock
			if i >= len(paths) || workCtx.Err() != nil {
				return
			}
			j := min(i+shareBlock, len(paths))
			got, err := c.QueryPathInfos(workCtx, paths[i:j])
			if err != nil {
				errOnce.Do(func() { firstErr = err; cancelWork() })
				return
			}
			copy(infos[i:j], got)
		}
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range h.n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case hc := <-h.conns:
				if hc != nil {
					work(hc)
					hc.Close()
				}
			case <-done:
			}
		}()
	}
	work(c)
	close(done) // every block is taken: helpers not yet dialled give up
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return infos, nil
}
