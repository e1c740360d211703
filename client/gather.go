package client

import (
	"io"
	"time"
)

// Reading many replies in bulk. A daemon writes each reply as soon as it
// is done, so a Conn with a long pipeline (QueryPathInfos of thousands of
// paths, or many goroutines sharing it) that reads as fast as replies
// come is woken once per reply: one or two read calls, a trip through the
// poller and a thread wake-up for every few hundred bytes, which costs the
// client more CPU than decoding and, on a small machine, takes it from the
// daemon. With at least gatherDue replies due, the read loop instead lets
// them gather for gatherPause before reading again, as long as reads come
// back small: the daemon still has that many requests to work through, so
// the pause costs no throughput, and one read then takes what arrived
// meanwhile. Short pipelines and single calls are read as before.
const (
	// gatherDue is the number of replies due from which reads gather:
	// enough work queued at the daemon to outlast the pause.
	gatherDue = 256
	// gatherPause is the pause before a read. Go's timers on Linux
	// wait at least about a millisecond, so shorter is not shorter.
	gatherPause = time.Millisecond
	// gatherSmall is the size under which a read counts as small: a
	// bulk read fills more of the read buffer.
	gatherSmall = 4 << 10
)

// gatherReader is the Conn's reader of the connection: it reads src,
// pausing first when the last read was small and at least gatherDue
// replies are due.
type gatherReader struct {
	src   io.Reader
	due   func() int
	pause func(time.Duration) // time.Sleep; a test's counter
	small bool
}

func (g *gatherReader) Read(p []byte) (int, error) {
	if g.small && g.due() >= gatherDue {
		g.pause(gatherPause)
	}
	n, err := g.src.Read(p)
	// A read that filled what it was given is not small, however short:
	// more may be waiting.
	g.small = n < gatherSmall && n < len(p)
	return n, err
}
