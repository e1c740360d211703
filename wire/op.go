package wire

// Gate is a condition on the negotiated protocol: a version range and
// features that must or must not have been negotiated. The zero Gate always
// holds. Generated code tests field gates inline; Gate describes ops,
// streams and union variants in tables.
type Gate struct {
	Since  Version  // lowest version, inclusive; 0 for none
	Until  Version  // version from which it no longer holds; 0 for none
	If     []string // features that must have been negotiated
	Unless []string // features that must not have been negotiated
}

// Holds reports whether g holds for p.
func (g Gate) Holds(p Proto) bool {
	if p.Version < g.Since || (g.Until != 0 && p.Version >= g.Until) {
		return false
	}
	for _, f := range g.If {
		if !p.Has(f) {
			return false
		}
	}
	for _, f := range g.Unless {
		if p.Has(f) {
			return false
		}
	}
	return true
}

// StreamKind says how data that follows a message outside it travels.
type StreamKind uint8

// Stream kinds.
const (
	// NoStream: nothing follows the message.
	NoStream StreamKind = iota
	// FramedStream: a framed stream (FramedReader, FramedWriter) follows.
	FramedStream
	// RawStream: raw bytes follow whose end only their own grammar knows
	// (in Nix, a NAR).
	RawStream
	// PullStream: the receiver pulls the data through the log channel
	// (in Nix, STDERR_READ requests answered with bytes packets).
	PullStream
	// PushStream: the sender pushes the data through the log channel
	// (in Nix, STDERR_WRITE frames).
	PushStream
)

var streamKindNames = [...]string{"none", "framed", "raw", "pull", "push"}

// String returns the schema spelling of k.
func (k StreamKind) String() string {
	if int(k) < len(streamKindNames) {
		return streamKindNames[k]
	}
	return "StreamKind(?)"
}

// StreamRule says that data of Kind follows a message where Gate holds.
type StreamRule struct {
	Kind StreamKind
	Gate Gate
}

// Op describes an operation of a protocol: its code, when it exists, how to
// make its messages and what data follows them. Generated packages export
// their ops as an OpTable.
type Op struct {
	Name       string
	Code       uint64
	Gate       Gate   // protocols in which the op exists
	Deprecated string // deprecation note; "" for a current op

	// NewRequest returns a new, empty request message.
	NewRequest func() Message
	// NewReply returns a new, empty reply message; nil when the op has no reply.
	NewReply func() Message

	// AfterRequest and AfterReply list what may follow each message; the
	// first rule whose gate holds applies.
	AfterRequest []StreamRule
	AfterReply   []StreamRule
}

// RequestStream returns what follows the op's request at p.
func (op *Op) RequestStream(p Proto) StreamKind { return firstStream(op.AfterRequest, p) }

// ReplyStream returns what follows the op's reply at p.
func (op *Op) ReplyStream(p Proto) StreamKind { return firstStream(op.AfterReply, p) }

func firstStream(rules []StreamRule, p Proto) StreamKind {
	for _, r := range rules {
		if r.Gate.Holds(p) {
			return r.Kind
		}
	}
	return NoStream
}

// OpTable is the list of ops of one protocol. To extend a protocol, do not
// concatenate tables: the generated Protocol of the extension chains its
// table before its base's, which makes the order of precedence explicit
// (see Protocol).
type OpTable []Op

// Lookup returns the op with code that exists at p. When several do (a
// table listing an op and its re-declaration for newer versions), the
// last one wins.
func (t OpTable) Lookup(code uint64, p Proto) (*Op, bool) {
	for i := len(t) - 1; i >= 0; i-- {
		if t[i].Code == code && t[i].Gate.Holds(p) {
			return &t[i], true
		}
	}
	return nil, false
}

// ByName returns the op named name, whatever its gate.
func (t OpTable) ByName(name string) (*Op, bool) {
	for i := len(t) - 1; i >= 0; i-- {
		if t[i].Name == name {
			return &t[i], true
		}
	}
	return nil, false
}
