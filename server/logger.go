package server

import (
	"context"
	"sync"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// maxPending bounds what a Logger queues while the client is not listening
// (between operations): Nix's TunnelLogger queues without a bound; a
// handler's stray goroutine must not make a connection grow without one.
const maxPending = 1 << 20

// ActivityID names an activity of a connection's log; 0 is "no parent".
type ActivityID uint64

// Logger sends log lines, activities and results to the client of one
// connection, as Nix's TunnelLogger does: while an operation runs they are
// written at once; between operations they are queued (up to 1 MiB, the
// rest dropped) and sent when the next operation starts. Lines above the
// verbosity the client set with SetOptions are dropped. Clients older than
// 1.20 know no activities: they get a line "<text>..." for an activity's
// start and nothing for its end or its results.
//
// A Logger is safe for use by several goroutines. Write errors are not
// returned: a client that is gone is noticed by the operation's own I/O.
type Logger struct {
	mu        sync.Mutex
	w         *wire.Writer
	p         wire.Proto
	verbosity messages.Verbosity
	working   bool
	pending   []byte
	nextID    uint64
	err       error // first write error; later writes are skipped
}

func newLogger(w *wire.Writer, p wire.Proto) *Logger {
	return &Logger{w: w, p: p, verbosity: messages.VerbosityError}
}

type loggerKey struct{}

// LoggerFrom returns the Logger of the connection serving ctx's operation,
// or a Logger that discards everything when ctx does not come from a
// Server.
func LoggerFrom(ctx context.Context) *Logger {
	if l, ok := ctx.Value(loggerKey{}).(*Logger); ok {
		return l
	}
	return discard
}

// discard is the Logger of contexts that do not come from a Server.
var discard = &Logger{err: errDiscard}

type discardError struct{}

func (discardError) Error() string { return "discarded" }

var errDiscard error = discardError{}

// Log sends msg as a log line (STDERR_NEXT) if level is at or below the
// client's verbosity. Nix appends the newline; so does Log.
func (l *Logger) Log(level messages.Verbosity, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if level > l.verbosity {
		return
	}
	l.send(&messages.StderrNext{Message: msg + "\n"})
}

// StartActivity starts an activity and returns its id, for StopActivity
// and Result. parent is the enclosing activity, or 0.
func (l *Logger) StartActivity(level messages.Verbosity, typ messages.ActivityType, text string, parent ActivityID, fields ...messages.Field) ActivityID {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextID++
	id := ActivityID(l.nextID)
	if !l.p.AtLeast(1, 20) {
		if text != "" && level <= l.verbosity {
			l.send(&messages.StderrNext{Message: text + "...\n"})
		}
		return id
	}
	l.send(&messages.StderrStartActivity{ID: uint64(id), Level: level, Type: typ, Text: text, Fields: fields, Parent: uint64(parent)})
	return id
}

// StopActivity ends the activity id.
func (l *Logger) StopActivity(id ActivityID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.p.AtLeast(1, 20) {
		l.send(&messages.StderrStopActivity{ID: uint64(id)})
	}
}

// Result sends a result of the activity id, e.g. a build log line
// (messages.ResultTypeBuildLogLine with one string field).
func (l *Logger) Result(id ActivityID, typ messages.ResultType, fields ...messages.Field) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.p.AtLeast(1, 20) {
		l.send(&messages.StderrResult{ID: uint64(id), Type: typ, Fields: fields})
	}
}

// send writes or queues one frame; l.mu is held.
func (l *Logger) send(f messages.Stderr) {
	if l.err != nil {
		return
	}
	if !l.working {
		if b, err := messages.AppendStderr(l.pending, f, l.p); err == nil && len(b) <= maxPending {
			l.pending = b
		}
		return
	}
	if err := messages.EncodeStderr(l.w, f, l.p); err != nil {
		l.err = err
		return
	}
	l.err = l.w.Flush()
}

// startWork marks the start of an operation's log session and sends what
// was queued.
func (l *Logger) startWork() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.working = true
	if len(l.pending) > 0 && l.err == nil {
		l.w.Write(l.pending)
		l.err = l.w.Flush()
	}
	l.pending = l.pending[:0]
}

// stopWork ends the session: with STDERR_LAST, then whatever finish writes
// (the reply), or with the error frame of err. It returns the first write
// error of the session.
func (l *Logger) stopWork(err error, finish func() error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.working = false
	if l.err != nil {
		return l.err
	}
	if err != nil {
		f := ErrorFrame(err, l.p)
		if werr := messages.EncodeStderr(l.w, f, l.p); werr != nil {
			return werr
		}
		return l.w.Flush()
	}
	if werr := messages.EncodeStderr(l.w, &messages.StderrLast{}, l.p); werr != nil {
		return werr
	}
	if finish != nil {
		if werr := finish(); werr != nil {
			return werr
		}
	}
	return l.w.Flush()
}

// stopWorkTwice ends the session with the error frame of err sent twice
// in one write, as nix-daemon does for an error before an op started work
// (it sends the error, rethrows it, and sends it again as the connection
// ends).
func (l *Logger) stopWorkTwice(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.working = false
	if l.err != nil {
		return l.err
	}
	f := ErrorFrame(err, l.p)
	messages.EncodeStderr(l.w, f, l.p)
	messages.EncodeStderr(l.w, f, l.p)
	return l.w.Flush()
}

// setVerbosity records the verbosity the client chose with SetOptions.
func (l *Logger) setVerbosity(v messages.Verbosity) {
	l.mu.Lock()
	l.verbosity = v
	l.mu.Unlock()
}
