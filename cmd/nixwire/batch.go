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

// pathInfos is c.QueryPathInfos for many paths. A Nix daemon serves each
// connection with its own worker process, so for a batch of several
// blocks it also dials up to one extra connection per further CPU
// (maxHelpers at most); every connection pulls blocks of shareBlock paths
// and pipelines them, c starting at once and the others joining once
// dialled. A helper that cannot connect leaves its share to the others;
// helpers still dialling when the work is done are cancelled.
func (e *env) pathInfos(ctx context.Context, c *client.Conn, paths []messages.StorePath) ([]*messages.ValidPathInfo, error) {
	helpers := min(runtime.NumCPU()-1, maxHelpers, len(paths)/shareBlock-1)
	if helpers < 1 || e.store.stdio != "" {
		return c.QueryPathInfos(ctx, paths)
	}
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
	dialCtx, cancelDials := context.WithCancel(workCtx)
	var wg sync.WaitGroup
	for range helpers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc, err := e.dial(dialCtx)
			if err != nil {
				return // the others do its share
			}
			defer hc.Close()
			work(hc)
		}()
	}
	work(c)
	cancelDials() // the work is handed out: helpers still dialling give up
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return infos, nil
}
