package wire_test

import (
	"testing"

	"github.com/nixwire/nixwire/wire"
)

func TestGateHolds(t *testing.T) {
	for _, tt := range []struct {
		desc string
		gate wire.Gate
		p    wire.Proto
		want bool
	}{
		{"zero gate", wire.Gate{}, wire.P(1, 10), true},
		{"since: below", wire.Gate{Since: wire.V(1, 16)}, wire.P(1, 15), false},
		{"since: at", wire.Gate{Since: wire.V(1, 16)}, wire.P(1, 16), true},
		{"until: below", wire.Gate{Until: wire.V(1, 25)}, wire.P(1, 24), true},
		{"until: at (exclusive)", wire.Gate{Until: wire.V(1, 25)}, wire.P(1, 25), false},
		{"if: missing", wire.Gate{If: []string{"f"}}, wire.P(1, 38), false},
		{"if: present", wire.Gate{If: []string{"f"}}, wire.P(1, 38, "f", "g"), true},
		{"unless: present", wire.Gate{Unless: []string{"f"}}, wire.P(1, 38, "f"), false},
		{"unless: missing", wire.Gate{Unless: []string{"f"}}, wire.P(1, 38, "g"), true},
		{"all must hold", wire.Gate{Since: wire.V(1, 38), If: []string{"f"}}, wire.P(1, 37, "f"), false},
	} {
		if got := tt.gate.Holds(tt.p); got != tt.want {
			t.Errorf("%s: %+v.Holds(%v) = %v, want %v", tt.desc, tt.gate, tt.p, got, tt.want)
		}
	}
}

func TestOpTable(t *testing.T) {
	table := wire.OpTable{
		{Name: "Old", Code: 5, Gate: wire.Gate{Until: wire.V(1, 16)}},
		{Name: "Query", Code: 26, AfterReply: []wire.StreamRule{
			{Kind: wire.FramedStream, Gate: wire.Gate{Since: wire.V(1, 23)}},
			{Kind: wire.PullStream, Gate: wire.Gate{Since: wire.V(1, 21)}},
			{Kind: wire.RawStream},
		}},
		{Name: "QueryV2", Code: 26, Gate: wire.Gate{Since: wire.V(1, 39)}},
		{Name: "Feature", Code: 1000, Gate: wire.Gate{If: []string{"f"}}},
	}
	for _, tt := range []struct {
		code uint64
		p    wire.Proto
		want string // "" for not found
	}{
		{5, wire.P(1, 15), "Old"},
		{5, wire.P(1, 16), ""},
		{26, wire.P(1, 38), "Query"},
		{26, wire.P(1, 39), "QueryV2"}, // the last matching entry wins
		{1000, wire.P(1, 38), ""},
		{1000, wire.P(1, 38, "f"), "Feature"},
		{7, wire.P(1, 38), ""},
	} {
		op, ok := table.Lookup(tt.code, tt.p)
		got := ""
		if ok {
			got = op.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%d, %v) = %q, want %q", tt.code, tt.p, got, tt.want)
		}
	}
	op, _ := table.ByName("Query")
	for _, tt := range []struct {
		p    wire.Proto
		want wire.StreamKind
	}{
		{wire.P(1, 20), wire.RawStream},
		{wire.P(1, 22), wire.PullStream},
		{wire.P(1, 38), wire.FramedStream},
	} {
		if got := op.ReplyStream(tt.p); got != tt.want {
			t.Errorf("ReplyStream(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := op.RequestStream(wire.P(1, 38)); got != wire.NoStream {
		t.Errorf("RequestStream = %v, want none", got)
	}
	if _, ok := table.ByName("Nope"); ok {
		t.Error("ByName found an op that does not exist")
	}
	if s := wire.StreamKind(99).String(); s != "StreamKind(?)" {
		t.Errorf("String of an unknown kind = %q", s)
	}
}
