package main

import (
	"io"
	"net"
	"os"
	"strings"
)

// plainForwardEnv, when set to "LISTEN\nUPSTREAM", makes the test binary
// run plainForward instead of the tests: the reference proxy of
// BenchmarkTraceProcess.
const plainForwardEnv = "NIXWIRE_BENCH_PLAIN_FORWARD"

// plainForward is the least any user-space proxy does: it accepts on the
// unix socket listen and copies each connection's bytes to and from a new
// connection to upstream, decoding nothing. Measured beside `nixwire
// trace`, it shows what the extra hop itself costs, apart from tracing.
func plainForward(listen, upstream string) error {
	os.Remove(listen)
	ln, err := net.Listen("unix", listen)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("unix", upstream)
			if err != nil {
				return
			}
			defer u.Close()
			done := make(chan struct{})
			go func() { copyHalf(u, c); close(done) }()
			copyHalf(c, u)
			<-done
		}()
	}
}

// copyHalf copies src to dst, one read to one write as trace's forwarding
// does, and half-closes dst at src's end.
func copyHalf(dst, src net.Conn) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err == io.EOF {
			dst.(*net.UnixConn).CloseWrite()
			return
		}
		if err != nil {
			return
		}
	}
}

// runPlainForward is TestMain's part for plainForwardEnv: if the variable
// is set, it runs plainForward and exits; if not, it returns.
func runPlainForward() {
	v := os.Getenv(plainForwardEnv)
	if v == "" {
		return
	}
	listen, upstream, _ := strings.Cut(v, "\n")
	if err := plainForward(listen, upstream); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}
