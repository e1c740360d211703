package wire_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"
	"unsafe"

	"github.com/nixwire/nixwire/wire"
)

func TestAppendUint64(t *testing.T) {
	tests := []struct {
		v    uint64
		want string
	}{
		{0, "00 00 00 00 00 00 00 00"},
		{1, "01 00 00 00 00 00 00 00"},
		{0xff, "ff 00 00 00 00 00 00 00"},
		{0x100, "00 01 00 00 00 00 00 00"},
		{0x0102030405060708, "08 07 06 05 04 03 02 01"},
		{0x6e697863, "63 78 69 6e 00 00 00 00"}, // WORKER_MAGIC_1, "cxin" on the wire
		{1 << 63, "00 00 00 00 00 00 00 80"},
		{math.MaxUint64, "ff ff ff ff ff ff ff ff"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%#x", tt.v), func(t *testing.T) {
			want := unhex(t, tt.want)
			if got := wire.AppendUint64(nil, tt.v); !bytes.Equal(got, want) {
				t.Errorf("AppendUint64(nil, %#x) = % x, want % x", tt.v, got, want)
			}
			prefix := []byte("prefix")
			if got := wire.AppendUint64(prefix, tt.v); !bytes.Equal(got, cat([]byte("prefix"), want)) {
				t.Errorf("AppendUint64(prefix, %#x) = % x: prefix not kept", tt.v, got)
			}
			v, rest, err := wire.ConsumeUint64(cat(want, []byte{0xaa}))
			if err != nil || v != tt.v || !bytes.Equal(rest, []byte{0xaa}) {
				t.Errorf("ConsumeUint64 = %#x, % x, %v; want %#x, aa, nil", v, rest, err, tt.v)
			}
		})
	}
}

func TestAppendBool(t *testing.T) {
	for _, tt := range []struct {
		v    bool
		want string
	}{
		{false, "00 00 00 00 00 00 00 00"},
		{true, "01 00 00 00 00 00 00 00"},
	} {
		t.Run(fmt.Sprint(tt.v), func(t *testing.T) {
			want := unhex(t, tt.want)
			if got := wire.AppendBool(nil, tt.v); !bytes.Equal(got, want) {
				t.Errorf("AppendBool(%v) = % x, want % x", tt.v, got, want)
			}
			v, rest, err := wire.ConsumeBool(want)
			if err != nil || v != tt.v || len(rest) != 0 {
				t.Errorf("ConsumeBool = %v, % x, %v", v, rest, err)
			}
		})
	}
}

// TestAppendBytesVectors pins a few encodings literally, as they appear in
// Nix's golden files.
func TestAppendBytesVectors(t *testing.T) {
	tests := []struct {
		name, s, want string
	}{
		{"empty", "", "00 00 00 00 00 00 00 00"},
		{"one byte", "a", "01 00 00 00 00 00 00 00 | 61 00 00 00 00 00 00 00"},
		{"three bytes", "abc", "03 00 00 00 00 00 00 00 | 61 62 63 00 00 00 00 00"},
		{"seven bytes", "1234567", "07 00 00 00 00 00 00 00 | 31 32 33 34 35 36 37 00"},
		{"eight bytes, no padding", "12345678", "08 00 00 00 00 00 00 00 | 31 32 33 34 35 36 37 38"},
		{"nine bytes", "123456789", "09 00 00 00 00 00 00 00 | 31 32 33 34 35 36 37 38 | 39 00 00 00 00 00 00 00"},
		{"zero byte payload", "\x00", "01 00 00 00 00 00 00 00 | 00 00 00 00 00 00 00 00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.want)
			if got := wire.AppendString(nil, tt.s); !bytes.Equal(got, want) {
				t.Errorf("AppendString(%q) = % x, want % x", tt.s, got, want)
			}
			if got := wire.AppendBytes(nil, []byte(tt.s)); !bytes.Equal(got, want) {
				t.Errorf("AppendBytes(%q) = % x, want % x", tt.s, got, want)
			}
		})
	}
}

// TestAppendBytesEveryPadding covers every padding length (0..7) twice, with
// and without a prefix in the destination.
func TestAppendBytesEveryPadding(t *testing.T) {
	for n := 0; n <= 17; n++ {
		t.Run(fmt.Sprintf("len=%d", n), func(t *testing.T) {
			p := payload(n)
			want := packet(p)
			if len(want) != 8+(n+7)/8*8 {
				t.Fatalf("test builder: packet(%d) has %d bytes", n, len(want))
			}
			if got := wire.AppendBytes(nil, p); !bytes.Equal(got, want) {
				t.Errorf("AppendBytes = % x, want % x", got, want)
			}
			if got := wire.AppendString(nil, string(p)); !bytes.Equal(got, want) {
				t.Errorf("AppendString = % x, want % x", got, want)
			}
			pre := []byte{0xee, 0xee, 0xee}
			if got := wire.AppendBytes(pre, p); !bytes.Equal(got, cat([]byte{0xee, 0xee, 0xee}, want)) {
				t.Errorf("AppendBytes after a prefix = % x", got)
			}
			if got := wire.BytesSize(n); got != len(want) {
				t.Errorf("BytesSize(%d) = %d, want %d", n, got, len(want))
			}
			if got := wire.PaddingLen(uint64(n)); got != len(want)-8-n {
				t.Errorf("PaddingLen(%d) = %d, want %d", n, got, len(want)-8-n)
			}
		})
	}
	t.Run("nil payload", func(t *testing.T) {
		if got := wire.AppendBytes(nil, nil); !bytes.Equal(got, make([]byte, 8)) {
			t.Errorf("AppendBytes(nil) = % x", got)
		}
	})
}

func TestPaddingLen(t *testing.T) {
	tests := []struct {
		n    uint64
		want int
	}{
		{0, 0}, {1, 7}, {2, 6}, {3, 5}, {4, 4}, {5, 3}, {6, 2}, {7, 1}, {8, 0},
		{9, 7}, {15, 1}, {16, 0}, {17, 7},
		{1 << 32, 0}, {1<<32 + 1, 7},
		{1 << 63, 0}, {1<<63 + 1, 7}, {1<<63 - 1, 1},
		{math.MaxUint64 - 7, 0}, {math.MaxUint64 - 1, 2},
		{math.MaxUint64, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := wire.PaddingLen(tt.n); got != tt.want {
				t.Errorf("PaddingLen(%d) = %d, want %d", tt.n, got, tt.want)
			}
		})
	}
}

func TestBytesSize(t *testing.T) {
	tests := []struct{ n, want int }{
		{0, 8}, {1, 16}, {7, 16}, {8, 16}, {9, 24}, {16, 24}, {17, 32},
		{1 << 20, 8 + 1<<20}, {1<<20 + 1, 8 + 1<<20 + 8},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := wire.BytesSize(tt.n); got != tt.want {
				t.Errorf("BytesSize(%d) = %d, want %d", tt.n, got, tt.want)
			}
		})
	}
}

func TestConsumeBytesSuccess(t *testing.T) {
	trailer := []byte{0xde, 0xad}
	for n := 0; n <= 17; n++ {
		t.Run(fmt.Sprintf("len=%d", n), func(t *testing.T) {
			p := payload(n)
			in := cat(packet(p), trailer)
			got, rest, err := wire.ConsumeBytes(in, 0, 17)
			if err != nil || !bytes.Equal(got, p) || !bytes.Equal(rest, trailer) {
				t.Fatalf("ConsumeBytes = % x, % x, %v; want % x, % x, nil", got, rest, err, p, trailer)
			}
			if got == nil {
				t.Errorf("ConsumeBytes returned a nil payload")
			}
			s, rest, err := wire.ConsumeString(in, uint64(n), uint64(n))
			if err != nil || s != string(p) || !bytes.Equal(rest, trailer) {
				t.Fatalf("ConsumeString = %q, % x, %v", s, rest, err)
			}
			s, rest, err = wire.ConsumeStringAlias(in, 0, math.MaxUint64)
			if err != nil || s != string(p) || !bytes.Equal(rest, trailer) {
				t.Fatalf("ConsumeStringAlias = %q, % x, %v", s, rest, err)
			}
		})
	}
	t.Run("sequence", func(t *testing.T) {
		var b []byte
		b = wire.AppendUint64(b, 42)
		b = wire.AppendBool(b, true)
		b = wire.AppendString(b, "hello")
		b = wire.AppendUint64(b, 3) // a count
		b = wire.AppendBytes(b, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
		b = wire.AppendBool(b, false)

		u, b, err := wire.ConsumeUint64(b)
		must(t, err, u == 42)
		v, b, err := wire.ConsumeBool(b)
		must(t, err, v)
		s, b, err := wire.ConsumeString(b, 0, 100)
		must(t, err, s == "hello")
		c, b, err := wire.ConsumeCount(b, 0, 10, 0)
		must(t, err, c == 3)
		p, b, err := wire.ConsumeBytes(b, 9, 9)
		must(t, err, bytes.Equal(p, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}))
		v, b, err = wire.ConsumeBool(b)
		must(t, err, !v)
		if len(b) != 0 {
			t.Errorf("%d bytes left over", len(b))
		}
		_, _, err = wire.ConsumeUint64(b)
		if err != io.EOF {
			t.Errorf("ConsumeUint64 at the end = %v, want io.EOF", err)
		}
	})
}

func must(t *testing.T, err error, ok bool) {
	t.Helper()
	if err != nil || !ok {
		t.Fatalf("err = %v, ok = %v", err, ok)
	}
}

func TestConsumeUint(t *testing.T) {
	tests := []struct {
		name    string
		v, max  uint64
		wantErr string
	}{
		{"zero", 0, 0, ""},
		{"at max", 255, 255, ""},
		{"above max", 256, 255, "value 256 exceeds limit 255"},
		{"u32 max", math.MaxUint32, math.MaxUint32, ""},
		{"above u32", math.MaxUint32 + 1, math.MaxUint32, "value 4294967296 exceeds limit 4294967295"},
		{"max u64", math.MaxUint64, math.MaxUint64, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := le64(tt.v)
			v, rest, err := wire.ConsumeUint(in, tt.max)
			if tt.wantErr == "" {
				if err != nil || v != tt.v || len(rest) != 0 {
					t.Fatalf("ConsumeUint = %d, % x, %v", v, rest, err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("ConsumeUint error = %v, want %q", err, tt.wantErr)
			}
			if !errors.Is(err, wire.ErrRange) || errors.Is(err, wire.ErrTooLarge) || errors.Is(err, wire.ErrTooSmall) {
				t.Errorf("error %v: want ErrRange only", err)
			}
			if !bytes.Equal(rest, in) || v != 0 {
				t.Errorf("on error: v = %d, rest = % x; want 0 and the input", v, rest)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		if _, _, err := wire.ConsumeUint(nil, 10); err != io.EOF {
			t.Errorf("empty: %v", err)
		}
		if _, _, err := wire.ConsumeUint([]byte{1, 2, 3}, 10); err != io.ErrUnexpectedEOF {
			t.Errorf("3 bytes: %v", err)
		}
	})
}

// validEncodings is every kind of value the byte path reads, each with the
// function that reads it.
func validEncodings() []struct {
	name    string
	in      []byte
	consume func([]byte) ([]byte, error)
} {
	type enc = struct {
		name    string
		in      []byte
		consume func([]byte) ([]byte, error)
	}
	u64 := func(b []byte) ([]byte, error) { _, r, err := wire.ConsumeUint64(b); return r, err }
	boolean := func(b []byte) ([]byte, error) { _, r, err := wire.ConsumeBool(b); return r, err }
	uint := func(b []byte) ([]byte, error) { _, r, err := wire.ConsumeUint(b, 1000); return r, err }
	count := func(b []byte) ([]byte, error) { _, r, err := wire.ConsumeCount(b, 0, 1000, 0); return r, err }
	bts := func(b []byte) ([]byte, error) { _, r, err := wire.ConsumeBytes(b, 0, 1000); return r, err }
	str := func(b []byte) ([]byte, error) { _, r, err := wire.ConsumeString(b, 0, 1000); return r, err }
	alias := func(b []byte) ([]byte, error) { _, r, err := wire.ConsumeStringAlias(b, 0, 1000); return r, err }
	out := []enc{
		{"uint64", le64(0x0102030405060708), u64},
		{"bool", le64(1), boolean},
		{"uint", le64(999), uint},
		{"count", le64(5), count},
	}
	for n := 0; n <= 17; n++ {
		pk := packet(payload(n))
		out = append(out,
			enc{fmt.Sprintf("bytes%d", n), pk, bts},
			enc{fmt.Sprintf("string%d", n), pk, str},
			enc{fmt.Sprintf("alias%d", n), pk, alias})
	}
	return out
}

// TestConsumeTruncated cuts every valid encoding at every offset: an empty
// input is io.EOF, any other prefix io.ErrUnexpectedEOF, and the input is
// returned unconsumed.
func TestConsumeTruncated(t *testing.T) {
	for _, e := range validEncodings() {
		t.Run(e.name, func(t *testing.T) {
			if rest, err := e.consume(e.in); err != nil || len(rest) != 0 {
				t.Fatalf("whole input: rest % x, err %v", rest, err)
			}
			for k := 0; k < len(e.in); k++ {
				in := e.in[:k:k]
				rest, err := e.consume(in)
				want := io.ErrUnexpectedEOF
				if k == 0 {
					want = io.EOF
				}
				if err != want {
					t.Errorf("prefix of %d bytes: err = %v, want %v", k, err, want)
				}
				if len(rest) != k || (k > 0 && &rest[0] != &in[0]) {
					t.Errorf("prefix of %d bytes: rest has %d bytes, want the input back", k, len(rest))
				}
			}
		})
	}
}

func TestConsumeLimits(t *testing.T) {
	tests := []struct {
		name     string
		n        uint64 // the length or count on the wire
		min, max uint64
		kind     string // "bytes", "string" or "count"
		msg      string // "" for success
		is       error
	}{
		{"bytes at max", 4, 0, 4, "bytes", "", nil},
		{"bytes at min", 4, 4, 10, "bytes", "", nil},
		{"bytes empty allowed", 0, 0, 0, "bytes", "", nil},
		{"bytes max+1", 5, 0, 4, "bytes", "bytes length 5 exceeds limit 4", wire.ErrTooLarge},
		{"bytes min-1", 3, 4, 10, "bytes", "bytes length 3 below minimum 4", wire.ErrTooSmall},
		{"bytes empty below min", 0, 1, 10, "bytes", "bytes length 0 below minimum 1", wire.ErrTooSmall},
		{"string 1 MiB + 1", 1<<20 + 1, 0, 1 << 20, "string", "string length 1048577 exceeds limit 1048576", wire.ErrTooLarge},
		{"string below min", 2, 3, 5, "string", "string length 2 below minimum 3", wire.ErrTooSmall},
		{"string 2^63 over 1 KiB", 1 << 63, 0, 1024, "string", "string length 9223372036854775808 exceeds limit 1024", wire.ErrTooLarge},
		{"bytes max u64 over max", math.MaxUint64, 0, math.MaxUint64 - 1, "bytes", "bytes length 18446744073709551615 exceeds limit 18446744073709551614", wire.ErrTooLarge},
		{"count at max", 3, 0, 3, "count", "", nil},
		{"count max+1", 4, 0, 3, "count", "count 4 exceeds limit 3", wire.ErrTooLarge},
		{"count below min", 1, 2, 3, "count", "count 1 below minimum 2", wire.ErrTooSmall},
		{"count 2^63", 1 << 63, 0, 1 << 20, "count", "count 9223372036854775808 exceeds limit 1048576", wire.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The payload is present only when it is small; a length
			// out of range must fail before the payload is looked at.
			in := le64(tt.n)
			if tt.n <= 64 && tt.kind != "count" {
				in = cat(in, make([]byte, (tt.n+7)/8*8))
			}
			var err error
			var rest []byte
			switch tt.kind {
			case "bytes":
				_, rest, err = wire.ConsumeBytes(in, tt.min, tt.max)
			case "string":
				_, rest, err = wire.ConsumeString(in, tt.min, tt.max)
			case "count":
				_, rest, err = wire.ConsumeCount(in, tt.min, tt.max, 0)
			}
			if tt.msg == "" {
				if err != nil || len(rest) != 0 {
					t.Fatalf("err = %v, rest % x", err, rest)
				}
				return
			}
			if err == nil || err.Error() != tt.msg {
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
			for _, s := range []error{wire.ErrTooLarge, wire.ErrTooSmall, wire.ErrRange} {
				if got := errors.Is(err, s); got != (s == tt.is) {
					t.Errorf("errors.Is(err, %v) = %v", s, got)
				}
			}
			var le *wire.LimitError
			if !errors.As(err, &le) || le.N != tt.n || le.Min != tt.min || le.Max != tt.max {
				t.Errorf("errors.As LimitError = %+v", le)
			}
			if !bytes.Equal(rest, in) {
				t.Errorf("rest = % x, want the whole input", rest)
			}
		})
	}
}

// TestConsumeLimitBeforeTruncation: a forged length is rejected as too
// large even when the input ends right after it, so the caller learns the
// real problem and nothing is sized from it.
func TestConsumeLimitBeforeTruncation(t *testing.T) {
	in := le64(1 << 63)
	if _, _, err := wire.ConsumeBytes(in, 0, 1024); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("ConsumeBytes = %v, want ErrTooLarge", err)
	}
	if _, _, err := wire.ConsumeBytes(in, 0, math.MaxUint64); err != io.ErrUnexpectedEOF {
		t.Errorf("ConsumeBytes without limit = %v, want io.ErrUnexpectedEOF", err)
	}
	// Lengths near the top of the range must not overflow the bounds check.
	for _, n := range []uint64{math.MaxUint64, math.MaxUint64 - 6, math.MaxUint64 - 7, 1<<63 - 1, math.MaxInt64 - 7} {
		in := cat(le64(n), make([]byte, 16))
		if _, _, err := wire.ConsumeBytes(in, 0, math.MaxUint64); err != io.ErrUnexpectedEOF {
			t.Errorf("length %d with 16 bytes: %v, want io.ErrUnexpectedEOF", n, err)
		}
	}
}

// TestConsumeBadPadding sets each padding byte in turn to a non-zero value.
func TestConsumeBadPadding(t *testing.T) {
	for n := 1; n <= 17; n++ {
		pk := packet(payload(n))
		for pos := 8 + n; pos < len(pk); pos++ {
			for _, bad := range []byte{0x01, 0x80, 0xff} {
				t.Run(fmt.Sprintf("len=%d/pos=%d/byte=%#x", n, pos, bad), func(t *testing.T) {
					in := bytes.Clone(pk)
					in[pos] = bad
					p, rest, err := wire.ConsumeBytes(in, 0, 100)
					if err != wire.ErrPadding || p != nil || !bytes.Equal(rest, in) {
						t.Errorf("ConsumeBytes = % x, % x, %v; want nil, input, ErrPadding", p, rest, err)
					}
					if _, _, err := wire.ConsumeString(in, 0, 100); err != wire.ErrPadding {
						t.Errorf("ConsumeString err = %v", err)
					}
					if _, _, err := wire.ConsumeStringAlias(in, 0, 100); err != wire.ErrPadding {
						t.Errorf("ConsumeStringAlias err = %v", err)
					}
				})
			}
		}
	}
	t.Run("non-zero bytes after padding are not padding", func(t *testing.T) {
		in := cat(packet(payload(3)), []byte{0xff})
		if _, rest, err := wire.ConsumeBytes(in, 0, 10); err != nil || !bytes.Equal(rest, []byte{0xff}) {
			t.Errorf("rest % x, err %v", rest, err)
		}
	})
}

func TestConsumeBool(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want bool
		err  error
	}{
		{"false", le64(0), false, nil},
		{"true", le64(1), true, nil},
		{"two", le64(2), false, wire.ErrBool},
		{"three", le64(3), false, wire.ErrBool},
		{"high byte", le64(1 << 56), false, wire.ErrBool},
		{"one in high byte", le64(1<<56 | 1), false, wire.ErrBool},
		{"2^63", le64(1 << 63), false, wire.ErrBool},
		{"max u64", le64(math.MaxUint64), false, wire.ErrBool},
		{"empty", nil, false, io.EOF},
		{"seven bytes", le64(1)[:7], false, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, rest, err := wire.ConsumeBool(tt.in)
			if v != tt.want || err != tt.err {
				t.Fatalf("ConsumeBool = %v, %v; want %v, %v", v, err, tt.want, tt.err)
			}
			if err != nil && !bytes.Equal(rest, tt.in) {
				t.Errorf("on error rest = % x, want the input", rest)
			}
			if err == wire.ErrBool && err.Error() != "wire: invalid boolean" {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestConsumeCount(t *testing.T) {
	tests := []struct {
		name     string
		n        uint64
		rest     int // bytes after the count
		elemSize int
		want     error
	}{
		{"fits exactly", 3, 24, 8, nil},
		{"fits with room", 3, 100, 8, nil},
		{"one byte short", 3, 23, 8, io.ErrUnexpectedEOF},
		{"zero elements, no data", 0, 0, 8, nil},
		{"elemSize 0 trusts count", 1000, 0, 0, nil},
		{"elemSize 1", 5, 5, 1, nil},
		{"elemSize 1 short", 6, 5, 1, io.ErrUnexpectedEOF},
		{"product overflows", 1 << 61, 64, 16, io.ErrUnexpectedEOF},
		{"huge count elemSize 1", 1<<62 + 5, 64, 1, io.ErrUnexpectedEOF},
		{"over max wins over size", 2000, 0, 8, wire.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := cat(le64(tt.n), make([]byte, tt.rest))
			n, rest, err := wire.ConsumeCount(in, 0, 1<<63+10, tt.elemSize)
			if tt.name == "over max wins over size" {
				n, rest, err = wire.ConsumeCount(in, 0, 1000, tt.elemSize)
			}
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("ConsumeCount = %d, %v; want %v", n, err, tt.want)
			}
			if err != nil {
				if n != 0 || !bytes.Equal(rest, in) {
					t.Errorf("on error n = %d, rest len %d; want 0 and the input", n, len(rest))
				}
				return
			}
			if uint64(n) != tt.n || len(rest) != tt.rest {
				t.Errorf("n = %d, rest len %d", n, len(rest))
			}
		})
	}
}

// TestCountFitsInt: a count is returned as an int, so one above
// math.MaxInt must be refused even when the caller's max allows it, or it
// would come back negative and make the caller's make() panic.
func TestCountFitsInt(t *testing.T) {
	in := le64(1 << 63)
	n, _, err := wire.ConsumeCount(in, 0, math.MaxUint64, 0)
	if !errors.Is(err, wire.ErrTooLarge) || n != 0 {
		t.Errorf("ConsumeCount(2^63, max u64) = %d, %v; want ErrTooLarge", n, err)
	}
	r := wire.NewReader(bytes.NewReader(in))
	n, err = r.Count(0, math.MaxUint64)
	if !errors.Is(err, wire.ErrTooLarge) || n != 0 {
		t.Errorf("Reader.Count(2^63, max u64) = %d, %v; want ErrTooLarge", n, err)
	}
	n, _, err = wire.ConsumeCount(le64(math.MaxInt), 0, math.MaxUint64, 0)
	if err != nil || n != math.MaxInt {
		t.Errorf("ConsumeCount(MaxInt) = %d, %v", n, err)
	}
}

// TestConsumeBytesAliasing: the payload aliases the input, but its
// capacity is cut so that appending to it cannot overwrite the padding or
// the values after it.
func TestConsumeBytesAliasing(t *testing.T) {
	for _, n := range []int{0, 1, 3, 8, 9} {
		t.Run(fmt.Sprintf("len=%d", n), func(t *testing.T) {
			in := cat(packet(payload(n)), wire.AppendUint64(nil, 0x1122334455667788))
			orig := bytes.Clone(in)
			p, rest, err := wire.ConsumeBytes(in, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if cap(p) != len(p) {
				t.Errorf("cap(p) = %d, want len(p) = %d", cap(p), len(p))
			}
			if n > 0 && &p[0] != &in[8] {
				t.Errorf("payload does not alias the input")
			}
			_ = append(p, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
			if !bytes.Equal(in, orig) {
				t.Errorf("append to the payload changed the input: % x", in)
			}
			if v, _, err := wire.ConsumeUint64(rest); err != nil || v != 0x1122334455667788 {
				t.Errorf("value after the packet = %#x, %v", v, err)
			}
		})
	}
	t.Run("string is a copy", func(t *testing.T) {
		in := packet([]byte("hello"))
		s, _, err := wire.ConsumeString(in, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		in[8] = 'J'
		if s != "hello" {
			t.Errorf("ConsumeString result changed with its input: %q", s)
		}
	})
	t.Run("alias shares", func(t *testing.T) {
		in := packet([]byte("hello"))
		s, _, err := wire.ConsumeStringAlias(in, 0, 10)
		if err != nil || unsafe.StringData(s) != &in[8] {
			t.Errorf("ConsumeStringAlias does not alias its input (err %v)", err)
		}
	})
}

var (
	sinkBytes  []byte
	sinkString string
	sinkU64    uint64
	sinkBool   bool
	sinkInt    int
)

func TestBytePathAllocs(t *testing.T) {
	buf := make([]byte, 0, 1024)
	str := "/nix/store/0c0dr5zlfcbwv4k9vwyvfxzhqa5m6xg0-hello-2.12.1"
	bts := []byte(str)
	enc := wire.AppendString(nil, str)
	enc = wire.AppendBool(enc, true)
	enc = wire.AppendUint64(enc, 7)
	empty := wire.AppendString(nil, "")
	tests := []struct {
		name string
		want float64
		f    func()
	}{
		{"AppendUint64", 0, func() { sinkBytes = wire.AppendUint64(buf[:0], 42) }},
		{"AppendBool", 0, func() { sinkBytes = wire.AppendBool(buf[:0], true) }},
		{"AppendString", 0, func() { sinkBytes = wire.AppendString(buf[:0], str) }},
		{"AppendBytes", 0, func() { sinkBytes = wire.AppendBytes(buf[:0], bts) }},
		{"ConsumeUint64", 0, func() { sinkU64, sinkBytes, _ = wire.ConsumeUint64(enc) }},
		{"ConsumeBool", 0, func() { sinkBool, sinkBytes, _ = wire.ConsumeBool(enc[len(enc)-16:]) }},
		{"ConsumeCount", 0, func() { sinkInt, sinkBytes, _ = wire.ConsumeCount(enc, 0, 100, 0) }},
		{"ConsumeBytes", 0, func() { sinkBytes, _, _ = wire.ConsumeBytes(enc, 0, 100) }},
		{"ConsumeStringAlias", 0, func() { sinkString, _, _ = wire.ConsumeStringAlias(enc, 0, 100) }},
		{"ConsumeString", 1, func() { sinkString, _, _ = wire.ConsumeString(enc, 0, 100) }},
		{"ConsumeString empty", 0, func() { sinkString, _, _ = wire.ConsumeString(empty, 0, 100) }},
		{"ConsumeBytes error", 0, func() { _, _, err := wire.ConsumeBytes(enc[:20], 0, 100); sinkBool = err != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tt.f); got != tt.want {
				t.Errorf("%s: %v allocs per run, want %v", tt.name, got, tt.want)
			}
		})
	}
}
