package trace

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// watchHangup waits, after the client half-closed its side, for it to
// hang up altogether (POLLHUP, which a unix socket reports once its peer
// closed it), and then closes the daemon's side fully. Nix's daemon takes
// only a full hang-up for the end of its client, as when a user presses
// Ctrl-C (it stops the build then); a half-close alone leaves it working.
// It returns at once; its goroutine ends once the client hung up or its
// connection was closed.
func watchHangup(client, daemon net.Conn) {
	sc, ok := client.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	go func() {
		for {
			hup := false
			err := raw.Control(func(fd uintptr) {
				fds := []unix.PollFd{{Fd: int32(fd)}} // POLLHUP is always reported
				if n, err := unix.Poll(fds, hangupPoll); err == nil && n > 0 {
					hup = fds[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0
				}
			})
			if err != nil || hup {
				// Hung up, or closed by the proxy: the daemon must see it.
				daemon.Close()
				return
			}
		}
	}()
}

// hangupPoll is how long one poll of watchHangup waits (milliseconds):
// between polls it notices that the proxy closed the connection.
const hangupPoll = 200
