package server

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// logHandler runs during in IsValidPath with the op's Logger, and keeps
// that Logger for use between operations.
type logHandler struct {
	messages.UnimplementedWorkerHandler
	during func(l *Logger)
	l      *Logger
}

func (h *logHandler) IsValidPath(ctx context.Context, req *messages.IsValidPathRequest) (*messages.IsValidPathReply, error) {
	h.l = LoggerFrom(ctx)
	if h.during != nil {
		h.during(h.l)
	}
	return &messages.IsValidPathReply{Valid: true}, nil
}

// logClient is a hand-made client of a server with handler h at v.
type logClient struct {
	t  *testing.T
	nc net.Conn
	r  *wire.Reader
	w  *wire.Writer
	p  wire.Proto
}

func newLogClient(t *testing.T, h *logHandler, v wire.Version) *logClient {
	nc := start(t, &Server{Handler: messages.NewWorkerDispatcher(h)})
	r, w, p := shakeHands(t, nc, v)
	return &logClient{t: t, nc: nc, r: r, w: w, p: p}
}

// op sends op code with req and returns the frames before STDERR_LAST.
func (c *logClient) op(code messages.WorkerOpCode, req interface {
	EncodeWire(*wire.Writer, wire.Proto) error
}) []messages.Stderr {
	c.t.Helper()
	c.w.Uint64(uint64(code))
	req.EncodeWire(c.w, c.p)
	if err := c.w.Flush(); err != nil {
		c.t.Fatal(err)
	}
	var frames []messages.Stderr
	for {
		f, err := messages.DecodeStderr(c.r, c.p)
		if err != nil {
			c.t.Fatal(err)
		}
		if _, ok := f.(*messages.StderrLast); ok {
			return frames
		}
		frames = append(frames, f)
	}
}

// isValid runs IsValidPath and returns its log frames.
func (c *logClient) isValid() []messages.Stderr {
	c.t.Helper()
	frames := c.op(messages.OpIsValidPath, &messages.IsValidPathRequest{Path: validPath})
	var reply messages.IsValidPathReply
	if err := reply.DecodeWire(c.r, c.p); err != nil || !reply.Valid {
		c.t.Fatalf("IsValidPath reply %v, %v", reply.Valid, err)
	}
	return frames
}

func (c *logClient) setVerbosity(v messages.Verbosity) {
	c.t.Helper()
	if frames := c.op(messages.OpSetOptions, &messages.ClientSettings{Verbosity: v}); len(frames) > 0 {
		c.t.Fatalf("SetOptions logged %v", frames)
	}
}

// activity starts an activity with a result and stops it.
func activity(l *Logger) {
	id := l.StartActivity(messages.VerbosityError, messages.ActivityTypeBuild, "building foo", 0, &messages.FieldString{Value: "foo"})
	l.Result(id, messages.ResultTypeBuildLogLine, &messages.FieldString{Value: "a line"})
	l.StopActivity(id)
}

// TestLoggerActivities: clients from 1.20 get the activity's frames;
// older ones its text as a line "<text>..." and nothing for its result
// or its end.
func TestLoggerActivities(t *testing.T) {
	for _, tc := range []struct {
		v    wire.Version
		want []messages.Stderr
	}{
		{wire.V(1, 18), []messages.Stderr{&messages.StderrNext{Message: "building foo...\n"}}},
		{wire.V(1, 19), []messages.Stderr{&messages.StderrNext{Message: "building foo...\n"}}},
		{wire.V(1, 20), []messages.Stderr{
			&messages.StderrStartActivity{ID: 1, Level: messages.VerbosityError, Type: messages.ActivityTypeBuild, Text: "building foo", Fields: []messages.Field{&messages.FieldString{Value: "foo"}}},
			&messages.StderrResult{ID: 1, Type: messages.ResultTypeBuildLogLine, Fields: []messages.Field{&messages.FieldString{Value: "a line"}}},
			&messages.StderrStopActivity{ID: 1},
		}},
		{wire.V(1, 38), []messages.Stderr{
			&messages.StderrStartActivity{ID: 1, Level: messages.VerbosityError, Type: messages.ActivityTypeBuild, Text: "building foo", Fields: []messages.Field{&messages.FieldString{Value: "foo"}}},
			&messages.StderrResult{ID: 1, Type: messages.ResultTypeBuildLogLine, Fields: []messages.Field{&messages.FieldString{Value: "a line"}}},
			&messages.StderrStopActivity{ID: 1},
		}},
	} {
		c := newLogClient(t, &logHandler{during: activity}, tc.v)
		if diff := cmp.Diff(tc.want, c.isValid()); diff != "" {
			t.Errorf("%s: frames (-want +got):\n%s", tc.v, diff)
		}
	}
}

// TestLoggerVerbosity: lines above the verbosity the client chose are
// dropped (before SetOptions: errors only), and so is the line that
// stands for an activity below 1.20.
func TestLoggerVerbosity(t *testing.T) {
	for _, v := range []wire.Version{wire.V(1, 19), wire.V(1, 38)} {
		h := &logHandler{during: func(l *Logger) {
			l.Log(messages.VerbosityError, "error")
			l.Log(messages.VerbosityInfo, "info")
			l.Log(messages.VerbosityDebug, "debug")
			if !v.AtLeast(1, 20) {
				l.StartActivity(messages.VerbosityTalkative, messages.ActivityTypeBuild, "talk", 0)
			}
		}}
		c := newLogClient(t, h, v)
		lines := func() []string {
			var got []string
			for _, f := range c.isValid() {
				n, ok := f.(*messages.StderrNext)
				if !ok {
					t.Fatalf("%s: frame %T, want StderrNext", v, f)
				}
				got = append(got, n.Message)
			}
			return got
		}
		if diff := cmp.Diff([]string{"error\n"}, lines()); diff != "" {
			t.Errorf("%s: before SetOptions (-want +got):\n%s", v, diff)
		}
		c.setVerbosity(messages.VerbosityInfo)
		if diff := cmp.Diff([]string{"error\n", "info\n"}, lines()); diff != "" {
			t.Errorf("%s: at verbosity info (-want +got):\n%s", v, diff)
		}
		c.setVerbosity(messages.VerbosityVomit)
		want := []string{"error\n", "info\n", "debug\n"}
		if !v.AtLeast(1, 20) {
			want = append(want, "talk...\n")
		}
		if diff := cmp.Diff(want, lines()); diff != "" {
			t.Errorf("%s: at verbosity vomit (-want +got):\n%s", v, diff)
		}
	}
}

// TestLoggerQueuesBetweenOps: what is logged between operations reaches
// the client only when the next operation starts, before that
// operation's own lines; the queue keeps at most 1 MiB and drops the rest.
func TestLoggerQueuesBetweenOps(t *testing.T) {
	h := &logHandler{during: func(l *Logger) { l.Log(messages.VerbosityError, "during") }}
	c := newLogClient(t, h, wire.V(1, 38))
	c.isValid()
	h.l.Log(messages.VerbosityError, "between")
	activity(h.l)
	// Nothing is written between operations.
	c.nc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var ne net.Error
	if _, err := c.r.Uint64(); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("between operations the client read %v, want a time-out", err)
	}
	c.nc.SetReadDeadline(time.Time{})
	got := c.isValid()
	if len(got) != 5 {
		t.Fatalf("frames %v, want the queued line and activity, then the op's line", got)
	}
	if n, ok := got[0].(*messages.StderrNext); !ok || n.Message != "between\n" {
		t.Errorf("first frame %#v, want the line logged between ops", got[0])
	}
	if _, ok := got[1].(*messages.StderrStartActivity); !ok {
		t.Errorf("second frame %#v, want the queued activity", got[1])
	}
	if n, ok := got[4].(*messages.StderrNext); !ok || n.Message != "during\n" {
		t.Errorf("last frame %#v, want the op's own line", got[4])
	}

	// 4 MiB logged between ops: the first MiB of it arrives.
	line := strings.Repeat("x", 1023)
	const lines = 4096
	for range lines {
		h.l.Log(messages.VerbosityError, line)
	}
	h.l.mu.Lock()
	n := len(h.l.pending)
	h.l.mu.Unlock()
	if n > maxPending {
		t.Errorf("%d bytes queued, want at most %d", n, maxPending)
	}
	got = c.isValid()
	queued := got[:len(got)-1]
	size := 0
	for _, f := range queued {
		if n, ok := f.(*messages.StderrNext); !ok || n.Message != line+"\n" {
			t.Fatalf("queued frame %#v", f)
		}
		size += len(line) + 1
	}
	if size > maxPending || size < maxPending*9/10 {
		t.Errorf("%d bytes of queued lines arrived, want just under %d", size, maxPending)
	}
	t.Logf("%d of %d queued lines kept", len(queued), lines)
}
