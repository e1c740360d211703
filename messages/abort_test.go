package messages_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// manyRefs is a ValidPathInfo too large for a Writer's buffer, so that it
// is encoded value by value.
func manyRefs(n int) *messages.ValidPathInfo {
	v := &messages.ValidPathInfo{Path: "/nix/store/00000000000000000000000000000000-a", NarHash: "00"}
	for i := range n {
		v.References = append(v.References, messages.StorePath(fmt.Sprintf("/nix/store/%032d-ref", i)))
	}
	return v
}

// TestEncodeFailureLeavesNothing: a value that fails to encode leaves no
// part of itself in the stream: taken back while still buffered, and a
// Writer that already sent part of it fails from then on.
func TestEncodeFailureLeavesNothing(t *testing.T) {
	p := wire.P(1, 15) // CA is not on the wire before 1.16
	var out bytes.Buffer
	w := wire.NewWriter(&out)
	(&messages.QueryPathInfoRequest{Path: "/nix/store/00000000000000000000000000000000-before"}).EncodeWire(w, p)
	before := w.Offset()

	// An error early on: nothing was flushed, all is taken back.
	early := manyRefs(5000)
	early.References[1] = "relative"
	if err := early.EncodeWire(w, p); err == nil {
		t.Fatal("a relative reference encoded")
	}
	if w.Offset() != before || w.Err() != nil || out.Len() != 0 {
		t.Fatalf("after an early failure: offset %d (want %d), %d bytes sent, Err %v", w.Offset(), before, out.Len(), w.Err())
	}

	// An error at the end, after part of the value went out: w fails.
	late := manyRefs(5000)
	late.CA = "fixed:r:sha256:x"
	err := late.EncodeWire(w, p)
	if !errors.Is(err, wire.ErrVersion) || out.Len() == 0 {
		t.Fatalf("late failure: %v with %d bytes sent", err, out.Len())
	}
	if !errors.Is(w.Err(), wire.ErrPartial) || !errors.Is(w.Flush(), wire.ErrPartial) {
		t.Fatalf("the Writer after part of a failed value was sent: Err %v", w.Err())
	}
	sent := out.Len()
	(&messages.QueryPathInfoRequest{Path: "/nix/store/00000000000000000000000000000000-after"}).EncodeWire(w, p)
	w.Flush()
	if out.Len() != sent {
		t.Fatalf("%d more bytes went out after the stream broke", out.Len()-sent)
	}
}
