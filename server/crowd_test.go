package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
)

// peakHandler serves IsValidPath after a short pause, recording the most
// calls that ever ran at once.
type peakHandler struct {
	messages.UnimplementedWorkerHandler
	running, peak atomic.Int32
}

func (h *peakHandler) IsValidPath(ctx context.Context, req *messages.IsValidPathRequest) (*messages.IsValidPathReply, error) {
	n := h.running.Add(1)
	defer h.running.Add(-1)
	for {
		p := h.peak.Load()
		if n <= p || h.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond)
	return &messages.IsValidPathReply{Valid: true}, nil
}

// heapAlloc is the live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestCrowdBeyondMaxConns: 200 clients at once against MaxConns 8, some
// of which give up (hang up before, during or after their handshake):
// every patient one is served, the server never serves more than 8
// connections, the heap stays bounded, and the server ends with no
// connection left and serves the next client.
func TestCrowdBeyondMaxConns(t *testing.T) {
	const (
		clients  = 200
		limit    = 8
		maxGrown = 64 << 20
	)
	h := &peakHandler{}
	s := &Server{Handler: messages.NewWorkerDispatcher(h), MaxConns: limit, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sock := listen(t, s)
	before := heapAlloc()

	// Watch the number of connections served and the heap while the crowd
	// is in.
	stop := make(chan struct{})
	var maxConns int
	var maxHeap uint64
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			maxConns = max(maxConns, connCount(s))
			if i%10 == 0 {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				maxHeap = max(maxHeap, m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	var wg sync.WaitGroup
	var served, failed atomic.Int32
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			switch i % 10 {
			case 0: // hangs up before the handshake
				if nc, err := net.Dial("unix", sock); err == nil {
					nc.Close()
				}
				return
			case 1: // hangs up half-way through the handshake
				if nc, err := net.Dial("unix", sock); err == nil {
					nc.Write([]byte{0x63, 0x78, 0x69, 0x6e, 0, 0, 0, 0})
					nc.Close()
				}
				return
			case 2: // gives up after a short wait in the backlog
				ctx, cancel = context.WithTimeout(ctx, 5*time.Millisecond)
				defer cancel()
			}
			c, err := client.DialUnix(ctx, sock, client.Options{})
			if err == nil {
				defer c.Close()
				_, err = c.IsValidPath(ctx, validPath)
			}
			switch {
			case err == nil:
				served.Add(1)
			case i%10 == 2:
			default:
				failed.Add(1)
				t.Errorf("client %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-watched

	if got, want := int(served.Load()), clients*7/10; got < want {
		t.Errorf("%d clients served, want at least %d (%d failed)", got, want, failed.Load())
	}
	if maxConns > limit {
		t.Errorf("%d connections served at once, MaxConns %d", maxConns, limit)
	}
	if p := h.peak.Load(); p > limit {
		t.Errorf("%d operations ran at once, MaxConns %d", p, limit)
	}
	if maxHeap > before && maxHeap-before > maxGrown {
		t.Errorf("the heap grew by %d MiB with the crowd in, want < %d MiB", (maxHeap-before)>>20, maxGrown>>20)
	}
	if after := heapAlloc(); after > before && after-before > maxGrown {
		t.Errorf("the heap grew by %d MiB after the crowd left", (after-before)>>20)
	}
	t.Logf("%d served, peak %d connections, heap %d KiB before, peak %d KiB", served.Load(), maxConns, before>>10, maxHeap>>10)
	// Every connection ends (the given-up ones once the server finds them
	// gone), and the server goes on serving.
	deadline := time.Now().Add(10 * time.Second)
	for connCount(s) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections left after the crowd went", connCount(s))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := dial(t, sock).IsValidPath(context.Background(), validPath); err != nil {
		t.Errorf("after the crowd: %v", err)
	}
}
