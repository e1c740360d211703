// Package acceptretry tells which errors of a listener's Accept pass, so
// that a server waits and accepts again instead of stopping for good, as
// net/http does: running out of file descriptors or memory, a connection
// aborted before it was accepted, a timeout.
package acceptretry

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"
)

// Retryable reports whether err, from Accept, passes.
func Retryable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Backoff is the wait between failed Accepts: 5 ms, doubling up to 1 s.
type Backoff struct{ delay time.Duration }

// Wait waits for the next delay, or until done is closed; it reports
// whether the delay passed.
func (b *Backoff) Wait(done <-chan struct{}) bool {
	b.delay = min(max(2*b.delay, 5*time.Millisecond), time.Second)
	t := time.NewTimer(b.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// Reset starts the delays again after a successful Accept.
func (b *Backoff) Reset() { b.delay = 0 }

// WaitContext is Wait until ctx is done.
func (b *Backoff) WaitContext(ctx context.Context) bool { return b.Wait(ctx.Done()) }
