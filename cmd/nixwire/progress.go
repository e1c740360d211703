package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(int(f.Fd()))
}

// progressInterval is how often the progress bar is redrawn.
const progressInterval = 200 * time.Millisecond

// progress draws a one-line progress bar on a terminal: bytes so far, of
// how many if known, and the rate. It counts what goes through Writer, and
// takes the daemon's figures (activity progress results) where it sends
// them for the operation.
type progress struct {
	out   io.Writer
	label string
	total atomic.Int64 // 0: unknown
	n     atomic.Int64
	start time.Time
	stop  chan struct{}
	done  sync.WaitGroup
}

// startProgress starts drawing on out every progressInterval until Stop.
func startProgress(out io.Writer, label string, total int64) *progress {
	p := &progress{out: out, label: label, start: time.Now(), stop: make(chan struct{})}
	p.total.Store(total)
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				fmt.Fprintf(p.out, "\r\x1b[K%s", p.line(time.Since(p.start)))
			}
		}
	}()
	return p
}

// Writer returns a writer to w that counts the bytes for the bar.
func (p *progress) Writer(w io.Writer) io.Writer { return &countingWriter{w: w, n: &p.n} }

// observe takes the daemon's progress figures (done and expected bytes).
func (p *progress) observe(done, expected uint64) {
	if expected > 0 {
		p.total.Store(int64(expected))
	}
	if int64(done) > p.n.Load() {
		p.n.Store(int64(done))
	}
}

// Stop stops drawing and leaves the final figures on the line.
func (p *progress) Stop() {
	close(p.stop)
	p.done.Wait()
	fmt.Fprintf(p.out, "\r\x1b[K%s\n", p.line(time.Since(p.start)))
}

// line renders the bar's text after d.
func (p *progress) line(d time.Duration) string {
	return progressLine(p.label, p.n.Load(), p.total.Load(), d)
}

// progressLine renders "label  1.2 MiB / 3.4 MiB (35%)  5.6 MiB/s".
func progressLine(label string, n, total int64, d time.Duration) string {
	rate := 0.0
	if d > 0 {
		rate = float64(n) / d.Seconds()
	}
	s := label + "  " + humanBytes(float64(n))
	if total > 0 {
		s += fmt.Sprintf(" / %s (%d%%)", humanBytes(float64(total)), min(100, n*100/total))
	}
	return s + "  " + humanBytes(rate) + "/s"
}

// humanBytes prints a byte count with a binary unit.
func humanBytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f %s", v, units[i])
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// countingWriter counts what is written to w in n.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
