package everything_test

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

// TestRegistry checks that every message of the schema has a Go type
// registered for the tests.
func TestRegistry(t *testing.T) {
	for _, d := range model(t).Decls {
		if _, ok := d.(*schema.Union); !ok {
			goType(t, d)
		}
	}
}

// TestRoundTrip encodes populated values of every message at every
// protocol of protos on both paths and decodes them again on both paths,
// into fresh and into reused values. Fields not on the wire come back as
// their defaults; every decoded value re-encodes to the same bytes.
func TestRoundTrip(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 2
	}
	for _, d := range messageDecls(t) {
		t.Run(d.DeclName(), func(t *testing.T) {
			for _, p := range protos {
				for i := range seeds {
					seed := *seedFlag + uint64(i)
					roundTrip(t, d, p, seed, i < 2)
				}
			}
		})
	}
}

func roundTrip(t *testing.T, d schema.Decl, p wire.Proto, seed uint64, truncations bool) {
	t.Helper()
	where := d.DeclName() + " at " + p.String() + " seed " + strconv.FormatUint(seed, 10)
	full := populated(t, d, p, seed, false)
	want := populated(t, d, p, seed, true)
	enc := encode(t, full, p)

	// Byte path, fresh value, with bytes after the value.
	got := newMessage(t, d)
	rest, err := got.ConsumeWire(append(enc[:len(enc):len(enc)], 0xAA), p)
	if err != nil {
		t.Fatalf("%s: ConsumeWire: %v\n%x", where, err, enc)
	}
	if !bytes.Equal(rest, []byte{0xAA}) {
		t.Fatalf("%s: ConsumeWire left %x, want aa", where, rest)
	}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Fatalf("%s: ConsumeWire: (-want +got)\n%s", where, diff)
	}
	if again := encode(t, got, p); !bytes.Equal(again, enc) {
		t.Fatalf("%s: decoded value re-encodes differently:\n%x\n%x", where, enc, again)
	}

	// Stream path, fresh value, in small reads.
	got2 := newMessage(t, d)
	r := wire.NewReaderSize(&chunkReader{data: enc, n: 1 + int(seed%13)}, 64)
	if err := got2.DecodeWire(r, p); err != nil {
		t.Fatalf("%s: DecodeWire: %v", where, err)
	}
	if r.Offset() != int64(len(enc)) {
		t.Fatalf("%s: DecodeWire read %d bytes, want %d", where, r.Offset(), len(enc))
	}
	if diff := cmp.Diff(want, got2, cmpOpts...); diff != "" {
		t.Fatalf("%s: DecodeWire: (-want +got)\n%s", where, diff)
	}

	// Both paths into values holding other data.
	reuse := populated(t, d, p, seed+1000, false)
	if _, err := reuse.ConsumeWire(enc, p); err != nil {
		t.Fatalf("%s: ConsumeWire into a used value: %v", where, err)
	}
	if diff := cmp.Diff(want, reuse, cmpOpts...); diff != "" {
		t.Fatalf("%s: ConsumeWire into a used value: (-want +got)\n%s", where, diff)
	}
	reuse = populated(t, d, p, seed+2000, false)
	if err := reuse.DecodeWire(wire.NewReader(bytes.NewReader(enc)), p); err != nil {
		t.Fatalf("%s: DecodeWire into a used value: %v", where, err)
	}
	if diff := cmp.Diff(want, reuse, cmpOpts...); diff != "" {
		t.Fatalf("%s: DecodeWire into a used value: (-want +got)\n%s", where, diff)
	}

	if truncations {
		truncate(t, where, d, p, enc)
	}
}

// truncate decodes every proper prefix of enc on both paths: the error is
// a *wire.Error matching io.EOF for the empty input and
// io.ErrUnexpectedEOF for any other, and the paths agree on it.
func truncate(t *testing.T, where string, d schema.Decl, p wire.Proto, enc []byte) {
	for k := range len(enc) {
		want := io.ErrUnexpectedEOF
		if k == 0 {
			want = io.EOF
		}
		_, err1 := newMessage(t, d).ConsumeWire(enc[:k:k], p)
		err2 := newMessage(t, d).DecodeWire(wire.NewReaderSize(&chunkReader{data: enc[:k], n: 7}, 64), p)
		for i, err := range []error{err1, err2} {
			var we *wire.Error
			if !errors.Is(err, want) || !errors.As(err, &we) {
				t.Fatalf("%s: %s of %d of %d bytes: %v, want a *wire.Error matching %v", where, [2]string{"ConsumeWire", "DecodeWire"}[i], k, len(enc), err, want)
			}
		}
		// The byte path may fail earlier, at a count its input cannot
		// hold, but in the same class.
		if errClass(err1) != errClass(err2) {
			t.Fatalf("%s: %d of %d bytes: the paths disagree:\nConsumeWire: %v\nDecodeWire:  %v", where, k, len(enc), err1, err2)
		}
	}
}
