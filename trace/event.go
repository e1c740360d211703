package trace

import (
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
	SHA256 string `json:"sha256"` // base16
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

// Sink receives events. Proxies call Event from many goroutines at once.
type Sink interface {
	Event(e *Event)
}

// JSONSink writes one JSON object per event and line.
type JSONSink struct {
	mu  sync.Mutex
	w   io.Writer
	buf bytes.Buffer
}

// NewJSONSink returns a sink writing JSON lines to w.
func NewJSONSink(w io.Writer) *JSONSink { return &JSONSink{w: w} }

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
	s.w.Write(s.buf.Bytes())
}

// TextSink writes one readable line per event.
type TextSink struct {
	mu sync.Mutex
	w  io.Writer
}

// NewTextSink returns a sink writing readable lines to w.
func NewTextSink(w io.Writer) *TextSink { return &TextSink{w: w} }

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
		if j, err := json.Marshal(e.Msg); err == nil {
			fmt.Fprintf(&b, " %s", j)
		} else {
			fmt.Fprintf(&b, " %+v", e.Msg)
		}
	}
	if st := e.Stream; st != nil {
		fmt.Fprintf(&b, " %s stream: %d bytes, sha256 %s", st.Kind, st.Size, st.SHA256)
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
	s.w.Write(b.Bytes())
}
