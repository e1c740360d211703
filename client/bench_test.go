package client_test

// Benchmarks of 2000 QueryPathInfo against the real Nix 2.8 daemon:
// sequential calls, the pipelined API, and the baseline of replaying
// pre-encoded request bytes on the raw connection (decoding the replies
// with the same generated types). Run them interleaved, e.g.
//
//	go test ./client -run '^$' -bench 'BenchmarkDaemonQueryPathInfo/interleaved' -count 6

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

const benchPaths = 2000

// benchPathList returns benchPaths valid paths of the daemon's store
// (repeating them if the store has fewer).
func benchPathList(b *testing.B, c *client.Conn) []messages.StorePath {
	all, err := c.QueryAllValidPaths(context.Background())
	if err != nil || len(all) == 0 {
		b.Fatalf("QueryAllValidPaths: %d paths, %v", len(all), err)
	}
	paths := make([]messages.StorePath, benchPaths)
	for i := range paths {
		paths[i] = all[i%len(all)]
	}
	return paths
}

func BenchmarkDaemonQueryPathInfo(b *testing.B) {
	d := nixdaemon.Require(b, nixdaemon.Legacy)
	dial := func(b *testing.B) *client.Conn {
		dc, err := d.StartStdio(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		c, err := client.Handshake(dc, client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		return c
	}
	// raw replays pre-encoded requests on a connection shaken hands with
	// by hand, reading the replies with the generated types.
	raw := func(b *testing.B, paths []messages.StorePath) func() {
		dc, err := d.StartStdio(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { dc.Close() })
		r, w, p := rawHandshake(b, dc)
		var req []byte
		for _, path := range paths {
			req = wire.AppendUint64(req, uint64(messages.OpQueryPathInfo))
			req, _ = (&messages.QueryPathInfoRequest{Path: path}).AppendWire(req, p)
		}
		var reply messages.QueryPathInfoReply
		return func() {
			errc := make(chan error, 1)
			go func() {
				_, err := w.Write(req)
				errc <- err
			}()
			for range paths {
				if err := rawSession(r, p); err != nil {
					b.Fatal(err)
				}
				if err := reply.DecodeWire(r, p); err != nil || reply.Info == nil {
					b.Fatalf("reply: %v", err)
				}
			}
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
		}
	}
	sequential := func(b *testing.B, c *client.Conn, paths []messages.StorePath) func() {
		return func() {
			for _, path := range paths {
				if info, err := c.QueryPathInfo(context.Background(), path); err != nil || info == nil {
					b.Fatal(err)
				}
			}
		}
	}
	pipelined := func(b *testing.B, c *client.Conn, paths []messages.StorePath) func() {
		return func() {
			infos, err := c.QueryPathInfos(context.Background(), paths)
			if err != nil || len(infos) != len(paths) || infos[0] == nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("raw-replay", func(b *testing.B) {
		run := raw(b, benchPathList(b, dial(b)))
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
	})
	b.Run("sequential", func(b *testing.B) {
		c := dial(b)
		run := sequential(b, c, benchPathList(b, c))
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
	})
	b.Run("pipelined", func(b *testing.B) {
		c := dial(b)
		run := pipelined(b, c, benchPathList(b, c))
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
	})
	// Eight goroutines sharing one Conn: their requests are pipelined
	// without any help from them.
	b.Run("concurrent-8", func(b *testing.B) {
		c := dial(b)
		paths := benchPathList(b, c)
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := g; i < len(paths); i += 8 {
						if info, err := c.QueryPathInfo(context.Background(), paths[i]); err != nil || info == nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
		}
	})
	// The three in turn within each iteration, so that a busy machine
	// slows them alike; the ratios are what to quote.
	b.Run("interleaved", func(b *testing.B) {
		c := dial(b)
		paths := benchPathList(b, c)
		runs := []func(){raw(b, paths), pipelined(b, c, paths), sequential(b, dial(b), paths)}
		var took [3]time.Duration
		for b.Loop() {
			for i, run := range runs {
				t0 := time.Now()
				run()
				took[i] += time.Since(t0)
			}
		}
		n := float64(b.N)
		b.ReportMetric(float64(took[0].Milliseconds())/n, "raw-ms")
		b.ReportMetric(float64(took[1].Milliseconds())/n, "pipelined-ms")
		b.ReportMetric(float64(took[2].Milliseconds())/n, "sequential-ms")
		b.ReportMetric(float64(took[1])/float64(took[0]), "pipelined/raw")
		b.ReportMetric(float64(took[2])/float64(took[0]), "sequential/raw")
	})
}

// rawHandshake performs the client side of the handshake at the daemon's
// version (≤ 1.37: no feature exchange) by hand, without SetOptions.
func rawHandshake(b *testing.B, rw io.ReadWriter) (*wire.Reader, io.Writer, wire.Proto) {
	r, w := wire.NewReader(rw), wire.NewWriter(rw)
	w.Uint64(0x6e697863)
	w.Flush()
	magic, _ := r.Uint64()
	v, err := r.Uint64()
	if err != nil || magic != 0x6478696f || v >= uint64(wire.V(1, 38)) {
		b.Fatalf("handshake: magic %#x, version %#x, %v", magic, v, err)
	}
	p := wire.Proto{Version: wire.Version(v)}
	w.Uint64(v)
	(&messages.ClientPostHandshake{}).EncodeWire(w, p)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	var hi messages.ClientHandshakeInfo
	if err := hi.DecodeWire(r, p); err != nil {
		b.Fatal(err)
	}
	if err := rawSession(r, p); err != nil {
		b.Fatal(err)
	}
	return r, rw, p
}

// rawSession reads STDERR frames up to STDERR_LAST.
func rawSession(r *wire.Reader, p wire.Proto) error {
	for {
		f, err := messages.DecodeStderr(r, p)
		if err != nil {
			return err
		}
		switch f.(type) {
		case *messages.StderrLast:
			return nil
		case *messages.StderrError:
			return io.ErrUnexpectedEOF
		}
	}
}
