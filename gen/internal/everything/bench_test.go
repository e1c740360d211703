package everything_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/gen/internal/everything"
	"github.com/nixwire/nixwire/wire"
)

var benchProto = wire.P(1, 38)

// benchPathInfo is the ValidPathInfo-shaped value of the benchmarks: 16
// strings (path, deriver, hash, 10 references, 2 signatures, CA) and 2
// slices.
func benchPathInfo() *everything.ValidPathInfo {
	refs := make([]everything.StorePath, 10)
	for i := range refs {
		refs[i] = everything.StorePath("/nix/store/" + string(rune('a'+i)) + "9w5kc6zljxzb2mqqj1fnjnq0l0xmbf4-glibc-2.40-66")
	}
	return &everything.ValidPathInfo{
		Path:             "/nix/store/aa9w5kc6zljxzb2mqqj1fnjnq0l0xmbf4-hello-2.12.1",
		Deriver:          "/nix/store/dd9w5kc6zljxzb2mqqj1fnjnq0l0xmbf4-hello-2.12.1.drv",
		NarHash:          "sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s",
		References:       refs,
		RegistrationTime: 1700000000,
		NarSize:          226560,
		Ultimate:         true,
		Sigs: []string{
			"cache.nixos.org-1:Y9rVYLmGMSbOzoXw6VMQMkBu3kHDIVljcnpN1Rd6RjOYtV0JuJxM5YYYiGrv7BYIcn0v6WkkPu5yxVB2SNKSCw==",
			"example.org-1:7w0LjzFgRu6X4rENNLeKxDdzgqKz6uF5J2Xk6c5bTt9BbXCXRqG2eSCn+5cKzWcJQH7h5Q0z6l3JY8jj3mYbBw==",
		},
		CA: "fixed:r:sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s",
	}
}

func handOf(v *everything.ValidPathInfo) *handPathInfo {
	return &handPathInfo{Path: v.Path, Deriver: v.Deriver, NarHash: v.NarHash, References: v.References,
		RegistrationTime: v.RegistrationTime, NarSize: v.NarSize, Ultimate: v.Ultimate, Sigs: v.Sigs, CA: v.CA}
}

// TestHandBaseline checks that the hand-written baseline encodes and
// decodes as the generated code does.
func TestHandBaseline(t *testing.T) {
	v := benchPathInfo()
	h := handOf(v)
	enc := encode(t, v, benchProto)
	henc := encode(t, h, benchProto)
	if !bytes.Equal(enc, henc) {
		t.Fatalf("the baseline encodes differently:\n%x\n%x", enc, henc)
	}
	var got handPathInfo
	if _, err := got.ConsumeWire(enc, benchProto); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*h, got); diff != "" {
		t.Fatalf("ConsumeWire: %s", diff)
	}
	got = handPathInfo{}
	if err := got.DecodeWire(wire.NewReader(bytes.NewReader(enc)), benchProto); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*h, got); diff != "" {
		t.Fatalf("DecodeWire: %s", diff)
	}
}

// cycle is an endless reader of data.
type cycle struct {
	data []byte
	off  int
}

func (c *cycle) Read(p []byte) (int, error) {
	if c.off == len(c.data) {
		c.off = 0
	}
	n := copy(p, c.data[c.off:])
	c.off += n
	return n, nil
}

// BenchmarkValidPathInfo compares the generated code (impl=gen) with the
// hand-written baseline (impl=hand) for each function.
func BenchmarkValidPathInfo(b *testing.B) {
	v := benchPathInfo()
	impls := []struct {
		name string
		m    wire.Message
		zero func() wire.Message
	}{
		{"gen", v, func() wire.Message { return new(everything.ValidPathInfo) }},
		{"hand", handOf(v), func() wire.Message { return new(handPathInfo) }},
	}
	enc, err := wire.Marshal(v, benchProto)
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range impls {
		m := impl.m
		b.Run("op=Size/impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if m.WireSize(benchProto) != len(enc) {
					b.Fatal("size")
				}
			}
		})
		b.Run("op=Append/impl="+impl.name, func(b *testing.B) {
			buf := make([]byte, 0, 4096)
			b.ReportAllocs()
			b.SetBytes(int64(len(enc)))
			for b.Loop() {
				if _, err := m.AppendWire(buf[:0], benchProto); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=Encode/impl="+impl.name, func(b *testing.B) {
			w := wire.NewWriter(io.Discard)
			b.ReportAllocs()
			b.SetBytes(int64(len(enc)))
			for b.Loop() {
				if err := m.EncodeWire(w, benchProto); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=Consume/impl="+impl.name, func(b *testing.B) {
			into := impl.zero()
			b.ReportAllocs()
			b.SetBytes(int64(len(enc)))
			for b.Loop() {
				if _, err := into.ConsumeWire(enc, benchProto); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=Decode/impl="+impl.name, func(b *testing.B) {
			into := impl.zero()
			r := wire.NewReader(&cycle{data: enc})
			b.ReportAllocs()
			b.SetBytes(int64(len(enc)))
			for b.Loop() {
				if err := into.DecodeWire(r, benchProto); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
