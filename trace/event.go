package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// Who sent what an event reports.
const (
	FromClient = "client"
	FromDaemon = "daemon"
)

// Event kinds.
const (
	KindOpen        = "open"        // a client connected (Note: the upstream)
	KindHandshake   = "handshake"   // one handshake message; Msg is the message
	KindNegotiated  = "negotiated"  // the handshake's outcome; Msg is a *Negotiated
	KindRequest     = "request"     // an op and its request
	KindStderr      = "stderr"      // one STDERR frame
	KindReply       = "reply"       // an op's reply
	KindStream      = "stream"      // data after a message or through STDERR_READ/WRITE; Stream says how much
	KindUndecodable = "undecodable" // the decoder stopped here (Note says why); forwarding goes on
	KindBehind      = "behind"      // the decoder fell too far behind and stopped; forwarding goes on
	KindClose       = "close"       // the connection ended (Note: how)
)

// Event is one thing the proxy saw. Msg is a generated message of package
// messages (or a *Negotiated) and is encoded with encoding/json.
type Event struct {
	Time   time.Time `json:"time"`
	Conn   uint64    `json:"conn"`
	From   string    `json:"from,omitempty"`
	Kind   string    `json:"kind"`
	Op     string    `json:"op,omitempty"`
	Code   uint64    `json:"code,omitempty"`
	Type   string    `json:"type,omitempty"` // the Go type of Msg, e.g. "StderrNext"
	Msg    any       `json:"msg,omitempty"`
	Stream *Stream   `json:"stream,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// Stream describes data that passed without being reported.
type Stream struct {
	Kind   string `json:"kind"` // "framed", "nar", "read" (STDERR_READ answers) or "write" (STDERR_WRITE)
	Size   int64  `json:"size"`
	Hash   string `json:"hash"` // SHA-256 in Nix's form, "sha256:<nix32>", as nix-store -q --hash prints a NAR hash
	Chunks int    `json:"chunks,omitempty"`
}

// Negotiated is what the handshake settled.
type Negotiated struct {
	ClientVersion string   `json:"clientVersion"`
	DaemonVersion string   `json:"daemonVersion"`
	Version       string   `json:"version"`
	Features      []string `json:"features,omitempty"`
	NixVersion    string   `json:"nixVersion,omitempty"`
	Trusted       string   `json:"trusted,omitempty"`
}

// Sink receives events. Proxies call Event (and Flush, see Flusher) from
// many goroutines at once.
type Sink interface {
	Event(e *Event)
}

// Flusher is implemented by sinks that buffer what they write, as
// JSONSink and TextSink do. A Proxy calls Flush when a connection's
// decoder has caught up with traffic that went quiet (about a millisecond
// without data, so that a busy proxy writes in blocks, yet every line is
// out as soon as things are quiet), when a connection's decoding ends,
// and after each close event; from many goroutines at once, concurrently
// with Event. A sink that wraps one of these must pass Flush on, or its
// lines wait until the buffer fills.
type Flusher interface {
	Flush() error
}

// sinkBuffer is the buffer size of JSONSink and TextSink.
const sinkBuffer = 32 << 10

// bufferedOut is the buffered writer of a sink: Flush writes the buffer
// out, and flushes the destination too when it buffers itself (a
// *bufio.Writer around standard output, say).
type bufferedOut struct {
	dst io.Writer
	bw  *bufio.Writer
}

func newBufferedOut(w io.Writer) bufferedOut {
	return bufferedOut{dst: w, bw: bufio.NewWriterSize(w, sinkBuffer)}
}

func (o bufferedOut) flush() error {
	if err := o.bw.Flush(); err != nil {
		return err
	}
	if f, ok := o.dst.(Flusher); ok {
		return f.Flush()
	}
	return nil
}

// JSONSink writes one JSON object per event and line. It buffers: see
// Flusher.
type JSONSink struct {
	mu  sync.Mutex
	out bufferedOut
	buf bytes.Buffer
}

// NewJSONSink returns a sink writing JSON lines to w.
func NewJSONSink(w io.Writer) *JSONSink { return &JSONSink{out: newBufferedOut(w)} }

// Flush writes out the buffered lines.
func (s *JSONSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.flush()
}

// Event writes e as a line of JSON.
func (s *JSONSink) Event(e *Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Reset()
	enc := json.NewEncoder(&s.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		// A message encoding/json cannot encode: keep the line.
		msg := e.Msg
		e.Msg = nil
		e.Note = fmt.Sprintf("%s (message not encodable: %v; %+v)", e.Note, err, msg)
		s.buf.Reset()
		enc.Encode(e)
	}
	s.out.bw.Write(s.buf.Bytes())
}

// TextSink writes one readable line per event. It buffers: see Flusher.
type TextSink struct {
	mu  sync.Mutex
	out bufferedOut
}

// NewTextSink returns a sink writing readable lines to w.
func NewTextSink(w io.Writer) *TextSink { return &TextSink{out: newBufferedOut(w)} }

// Flush writes out the buffered lines.
func (s *TextSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.flush()
}

// Event writes e as a line such as
// `15:04:05.000000 #1 client request QueryPathInfo {"Path":"/nix/store/…"}`.
func (s *TextSink) Event(e *Event) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s #%d", e.Time.Format("15:04:05.000000"), e.Conn)
	if e.From != "" {
		fmt.Fprintf(&b, " %s", e.From)
	}
	fmt.Fprintf(&b, " %s", e.Kind)
	if e.Op != "" {
		fmt.Fprintf(&b, " %s", e.Op)
	}
	if e.Type != "" && e.Type != e.Op+"Request" && e.Type != e.Op+"Reply" {
		fmt.Fprintf(&b, " %s", e.Type)
	}
	if e.Msg != nil {
		// As in JSONSink: no HTML escapes ("->" stays "->").
		var j bytes.Buffer
		enc := json.NewEncoder(&j)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e.Msg); err == nil {
			fmt.Fprintf(&b, " %s", bytes.TrimSuffix(j.Bytes(), []byte("\n")))
		} else {
			fmt.Fprintf(&b, " %+v", e.Msg)
		}
	}
	if st := e.Stream; st != nil {
		fmt.Fprintf(&b, " %s stream: %d bytes, %s", st.Kind, st.Size, st.Hash)
		if st.Chunks != 0 {
			fmt.Fprintf(&b, ", %d chunks", st.Chunks)
		}
	}
	if e.Note != "" {
		fmt.Fprintf(&b, " (%s)", e.Note)
	}
	b.WriteByte('\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out.bw.Write(b.Bytes())
}
