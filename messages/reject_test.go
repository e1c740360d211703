package messages

// What the decoders must refuse, as Nix's readers do (or as the schema
// promises), on both paths, with the error class stated.

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

func TestDecodeRejects(t *testing.T) {
	const path = "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo"
	stderr := func() wire.Message { return &frame{} }
	badPadding := new(hb).s(path).bytes()
	badPadding[len(badPadding)-1] = 1
	cases := []struct {
		name  string
		proto wire.Proto
		msg   func() wire.Message
		data  []byte
		want  error
	}{
		{"error type other than Error", wire.P(1, 26), stderr,
			new(hb).u(hStderrError).s("Eror").u(0).s("Error", "msg").u(0, 0).bytes(), wire.ErrInvalid},
		{"error with a position", wire.P(1, 26), stderr,
			new(hb).u(hStderrError).s("Error").u(0).s("Error", "msg").u(1, 0).bytes(), wire.ErrInvalid},
		{"trace with a position", wire.P(1, 37), stderr,
			new(hb).u(hStderrError).s("Error").u(0).s("Error", "msg").u(0, 1, 1).s("hint").bytes(), wire.ErrInvalid},
		{"unknown STDERR code", wire.P(1, 34), stderr, new(hb).u(0x12345678).bytes(), wire.ErrInvalid},
		{"activity before 1.20", wire.P(1, 19), stderr,
			new(hb).u(startActivityCode, 1, 0, 0).s("").u(0, 0).bytes(), wire.ErrVersion},
		{"build status 15", wire.P(1, 27), func() wire.Message { return &BuildResult{} },
			new(hb).u(15).s("").bytes(), wire.ErrInvalid},
		{"trusted flag 3", wire.P(1, 35), func() wire.Message { return &ClientHandshakeInfo{} },
			new(hb).s("2.26.3").u(3).bytes(), wire.ErrInvalid},
		{"bool 2", wire.P(1, 34), func() wire.Message { return &IsValidPathReply{} },
			new(hb).u(2).bytes(), wire.ErrBool},
		{"non-zero padding", wire.P(1, 34), func() wire.Message { return &IsValidPathRequest{} },
			badPadding, wire.ErrPadding},
		{"relative store path", wire.P(1, 34), func() wire.Message { return &IsValidPathRequest{} },
			new(hb).s("nix/store/foo").bytes(), ErrStorePath},
		{"unsorted map keys", wire.P(1, 28), func() wire.Message { return &BuildResult{} },
			new(hb).u(0).s("").u(2).s("sha256:b!out", "{}", "sha256:a!out", "{}").bytes(), wire.ErrInvalid},
		{"duplicate map keys", wire.P(1, 28), func() wire.Message { return &BuildResult{} },
			new(hb).u(0).s("").u(2).s("sha256:a!out", "{}", "sha256:a!out", "{}").bytes(), wire.ErrInvalid},
		{"wrong magic", wire.P(1, 10), func() wire.Message { return &WorkerServerHello{} },
			new(hb).u(0x6478696e, 0x10a).bytes(), wire.ErrInvalid},
		{"version above u32", wire.P(1, 10), func() wire.Message { return &WorkerClientVersion{} },
			new(hb).u(1 << 32).bytes(), wire.ErrRange},
		{"time above i64", wire.P(1, 29), func() wire.Message { return &BuildResult{} },
			new(hb).u(0).s("").u(0, 0, math.MaxInt64+1, 0).u(0).bytes(), wire.ErrRange},
		{"optional tag 2", wire.P(1, 37), func() wire.Message { return &BuildResult{} },
			new(hb).u(0).s("").u(0, 0, 0, 0).u(2).bytes(), wire.ErrInvalid},
		{"GCPaths tag 2", wire.P(1, 38, FeatureDeleteDeadSpecificReferrers), func() wire.Message { return &GCOptions{} },
			new(hb).u(0, 2).bytes(), wire.ErrInvalid},
		{"CPU affinity flag 2", wire.P(1, 14), func() wire.Message { return &ClientPostHandshake{} },
			new(hb).u(2, 0, 0).bytes(), wire.ErrInvalid},
		{"feature count above its limit", wire.P(1, 38), func() wire.Message { return &FeatureSet{} },
			new(hb).u(1025).bytes(), wire.ErrTooLarge},
		{"terminated list without its terminator", wire.P(2, 7), func() wire.Message { return &ServeQueryPathInfosReply{} },
			new(hb).s(path, "").u(0).u(1, 1).s("sha256:x", "").u(0).bytes(), io.ErrUnexpectedEOF},
		{"when field missing", wire.P(2, 7), func() wire.Message { return &ServeBuildPathsReply{} },
			new(hb).u(1).bytes(), io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.msg()
			if _, err := m.ConsumeWire(c.data, c.proto); !errors.Is(err, c.want) {
				t.Errorf("ConsumeWire: %v, want %v", err, c.want)
			}
			r := wire.NewReader(bytes.NewReader(c.data))
			if err := c.msg().DecodeWire(r, c.proto); !errors.Is(err, c.want) {
				t.Errorf("DecodeWire: %v, want %v", err, c.want)
			}
		})
	}
}

// TestDecodeOpenEnums checks that open enums keep numbers they do not know
// (a newer daemon's verbosity, activity or result types) and re-encode them.
func TestDecodeOpenEnums(t *testing.T) {
	p := wire.P(1, 38)
	data := new(hb).u(startActivityCode, 1, 9, 999).s("new").u(0, 0).bytes()
	var f frame
	if _, err := f.ConsumeWire(data, p); err != nil {
		t.Fatal(err)
	}
	a, ok := f.S.(*StderrStartActivity)
	if !ok || a.Level != 9 || a.Type != 999 || a.Level.String() == "" || a.Type.String() == "" {
		t.Fatalf("decoded %+v", f.S)
	}
	if b, err := f.AppendWire(nil, p); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("re-encoded %x, %v; want %x", b, err, data)
	}
}

const startActivityCode = 0x53545254
