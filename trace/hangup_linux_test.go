package trace_test

import (
	"net"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// hungUp reports whether the peer of c has closed its socket altogether
// (POLLHUP), waiting up to d; a half-close is not a hang-up.
func hungUp(t *testing.T, c net.Conn, d time.Duration) bool {
	t.Helper()
	raw, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		hup := false
		raw.Control(func(fd uintptr) {
			fds := []unix.PollFd{{Fd: int32(fd)}}
			if n, err := unix.Poll(fds, 0); err == nil && n > 0 {
				hup = fds[0].Revents&unix.POLLHUP != 0
			}
		})
		if hup {
			return true
		}
	}
	return false
}

// TestClientHangUpReachesDaemon: Nix's daemon stops a build when its
// client hangs up (Ctrl-C), and it sees only a full hang-up: a client
// that closes its connection to the proxy must close the proxy's
// connection to the daemon too, while a client that only half-closes
// leaves the daemon's side half-closed (it may still read the reply).
func TestClientHangUpReachesDaemon(t *testing.T) {
	dir := shortDir(t)
	upSock := filepath.Join(dir, "up.sock")
	ln, err := net.Listen("unix", upSock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	proxySock := startProxy(t, dir, upSock, newBufferSink())
	for _, full := range []bool{false, true} {
		c, err := net.Dial("unix", proxySock)
		if err != nil {
			t.Fatal(err)
		}
		up, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("building")); err != nil {
			t.Fatal(err)
		}
		if full {
			c.Close()
		} else {
			c.(*net.UnixConn).CloseWrite()
		}
		buf := make([]byte, 64)
		up.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			if _, err := up.Read(buf); err != nil {
				break // the client's end reached the daemon
			}
		}
		wait := 500 * time.Millisecond // long enough for a wrong hang-up
		if full {
			wait = 5 * time.Second
		}
		if got := hungUp(t, up, wait); got != full {
			t.Errorf("client closed fully %v: the daemon's side hung up %v", full, got)
		}
		if !full {
			// Half-closed: the daemon's reply still reaches the client.
			if _, err := up.Write([]byte("reply")); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := c.Read(buf); err != nil || string(buf[:n]) != "reply" {
				t.Errorf("the reply after a half-close: %q, %v", buf[:n], err)
			}
			c.Close()
		}
		up.Close()
	}
}
