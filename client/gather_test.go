package client

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// TestGatherReader checks when the Conn's reader pauses to let replies
// gather: only after a small read, and only with gatherDue replies due.
func TestGatherReader(t *testing.T) {
	tests := []struct {
		name   string
		due    int
		chunk  int // bytes each read of the source returns
		reads  int
		pauses int
	}{
		{"single calls", 1, 200, 5, 0},
		{"short pipeline", gatherDue - 1, 200, 5, 0},
		// The first read follows no small one; each later one (and the
		// read that finds the end) does.
		{"long pipeline, small reads", gatherDue, 200, 5, 5},
		{"long pipeline, bulk reads", gatherDue + 100, gatherSmall, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bytes.Repeat([]byte{1}, tt.chunk*tt.reads)
			src := &chunked{r: bytes.NewReader(data), n: tt.chunk}
			var pauses int
			g := &gatherReader{src: src, due: func() int { return tt.due }, pause: func(d time.Duration) {
				if d != gatherPause {
					t.Errorf("paused for %v, want %v", d, gatherPause)
				}
				pauses++
			}}
			var got []byte
			buf := make([]byte, 32<<10)
			var err error
			for err == nil {
				var n int
				n, err = g.Read(buf)
				got = append(got, buf[:n]...)
			}
			if err != io.EOF || !bytes.Equal(got, data) {
				t.Fatalf("read %d bytes, %v; want the %d bytes", len(got), err, len(data))
			}
			if pauses != tt.pauses {
				t.Errorf("%d pauses, want %d", pauses, tt.pauses)
			}
		})
	}
}

// chunked returns at most n bytes per read.
type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }
