package trace_test

import (
	"context"
	"io"
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
// query and the overhead in percent.
func BenchmarkQueryPathInfo2000(b *testing.B) {
	for _, dc := range daemons {
		b.Run(dc.name, func(b *testing.B) {
			d := nixdaemon.Require(b, dc.which)
			ctx := context.Background()
			dir, daemonSock := startDaemon(b, d)
			proxySock := startProxy(b, dir, daemonSock, trace.NewJSONSink(io.Discard))
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
			direct, proxied := dial(daemonSock), dial(proxySock)
			run := func(c *client.Conn) time.Duration {
				start := time.Now()
				for range 2000 {
					if _, err := c.QueryPathInfo(ctx, messages.StorePath(p)); err != nil {
						b.Fatal(err)
					}
				}
				return time.Since(start)
			}
			run(direct) // warm both up
			run(proxied)
			b.ReportAllocs()
			b.ResetTimer()
			var td, tp time.Duration
			for i := 0; i < b.N; i++ {
				td += run(direct)
				tp += run(proxied)
			}
			b.ReportMetric(float64(td.Nanoseconds())/float64(b.N*2000), "direct-ns/query")
			b.ReportMetric(float64(tp.Nanoseconds())/float64(b.N*2000), "proxy-ns/query")
			b.ReportMetric(100*(float64(tp)/float64(td)-1), "overhead-%")
		})
	}
}
