package trace_test

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/trace"
)

// BenchmarkQueryPathInfo2000 measures what the proxy adds to 2000
// QueryPathInfo on one connection to the real Nix 2.8 daemon: each
// iteration runs the 2000 queries directly and then through the proxy
// (which decodes everything and writes JSON lines to io.Discard), so the
// two are interleaved on the same noisy machine. It reports both times per
// query and the overhead in percent, for a client that waits for each
// reply (sequential) and for one that pipelines them (QueryPathInfos, as
// `nixwire path-info` does).
func BenchmarkQueryPathInfo2000(b *testing.B) {
	for _, mode := range []string{"sequential", "pipelined"} {
		for _, dc := range daemons {
			b.Run(mode+"/"+dc.name, func(b *testing.B) { benchQueryPathInfo(b, dc, mode == "pipelined") })
		}
	}
}

func benchQueryPathInfo(b *testing.B, dc daemonCase, pipelined bool) {
	{
		{
			d := nixdaemon.Require(b, dc.which)
			ctx := context.Background()
			dir, daemonSock := startDaemon(b, d)
			proxySock := startProxy(b, dir, daemonSock, trace.NewJSONSink(io.Discard))
			// The same proxy with decoding given up at once: what the extra
			// hop alone costs.
			forwardSock := startProxy(b, dir, daemonSock, trace.NewJSONSink(io.Discard), func(p *trace.Proxy) { p.MaxQueue = 1 })
			p, err := d.AddToStore(ctx, "bench-qpi", []byte("bench"))
			if err != nil {
				b.Fatal(err)
			}
			dial := func(sock string) *client.Conn {
				c, err := client.DialUnix(ctx, sock, client.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { c.Close() })
				return c
			}
			direct, proxied, forwarded := dial(daemonSock), dial(proxySock), dial(forwardSock)
			run := func(c *client.Conn, n int) time.Duration {
				start := time.Now()
				if pipelined {
					if _, err := c.QueryPathInfos(ctx, slices.Repeat([]messages.StorePath{messages.StorePath(p)}, n)); err != nil {
						b.Fatal(err)
					}
					return time.Since(start)
				}
				for range n {
					if _, err := c.QueryPathInfo(ctx, messages.StorePath(p)); err != nil {
						b.Fatal(err)
					}
				}
				return time.Since(start)
			}
			run(direct, 200) // warm both up
			run(proxied, 200)
			b.ReportAllocs()
			b.ResetTimer()
			// Each iteration is 2000 queries each way, in batches of 100
			// that alternate (and alternate which goes first), so that both
			// see the same machine; the overhead is the median of the
			// batch pairs' ratios.
			const batches, batch = 20, 100
			var td, tp, tf time.Duration
			var ratios, fratios []float64
			for i := 0; i < b.N; i++ {
				for j := range batches {
					var d, q, f time.Duration
					if j%2 == 0 {
						d, q, f = run(direct, batch), run(proxied, batch), run(forwarded, batch)
					} else {
						f, q, d = run(forwarded, batch), run(proxied, batch), run(direct, batch)
					}
					td, tp, tf = td+d, tp+q, tf+f
					ratios = append(ratios, float64(q)/float64(d))
					fratios = append(fratios, float64(f)/float64(d))
				}
			}
			slices.Sort(ratios)
			slices.Sort(fratios)
			n := float64(b.N * batches * batch)
			b.ReportMetric(float64(td.Nanoseconds())/n, "direct-ns/query")
			b.ReportMetric(float64(tp.Nanoseconds())/n, "traced-ns/query")
			b.ReportMetric(float64(tf.Nanoseconds())/n, "forward-only-ns/query")
			b.ReportMetric(100*(ratios[len(ratios)/2]-1), "traced-overhead-%")
			b.ReportMetric(100*(fratios[len(fratios)/2]-1), "forward-only-overhead-%")
		}
	}
}
