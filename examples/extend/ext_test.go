package extend_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/examples/extend"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// The protocols of the tests: acmed 1.x and 2.x, with and without Nix's
// realisation-with-path-not-hash feature.
var (
	v138     = wire.P(1, 38)
	v138Path = wire.P(1, 38, messages.FeatureRealisationWithPathNotHash)
	v139Path = wire.P(1, 39, messages.FeatureRealisationWithPathNotHash)
)

// Store paths are shortened (real hash parts have 32 characters) to keep
// the hex dumps short; StorePath.Validate only checks that a path is
// absolute.
const (
	helloPath = messages.StorePath("/nix/store/a1-hello")
	helloDrv  = messages.StorePath("/nix/store/d1-hello.drv")
)

// legacyID is the pre-feature name of hello's "out" output, with the
// all-zero hash that current Nix writes.
var legacyID = messages.DrvOutputID("sha256:" + strings.Repeat("0", 64) + "!out")

// provenance returns a Provenance with every field set, those of both
// sides of the feature gate included.
func provenance() extend.Provenance {
	return extend.Provenance{
		Path:     helloPath,
		Output:   messages.DrvOutput{DrvPath: helloDrv, OutputName: "out"},
		OutputID: legacyID,
		Builder:  "b3.acme.example",
		Status:   messages.BuildStatusBuilt,
		BuiltAt:  1750000000,
		Tags:     []extend.Tag{"release=2025.06", "team=infra"},
	}
}

// Hex dumps of the encodings: whitespace is ignored and '#' starts a
// comment. Each line is one u64 or 8 bytes of a padded string.
const (
	pathHex = `
		1300000000000000                    # Path: 19 bytes
		2f6e69782f73746f 72652f61312d6865   #   "/nix/store/a1-he"
		6c6c6f0000000000                    #   "llo", padding`
	outputHex = `
		1700000000000000                    # Output.DrvPath: 23 bytes
		2f6e69782f73746f 72652f64312d6865   #   "/nix/store/d1-he"
		6c6c6f2e64727600                    #   "llo.drv", padding
		0300000000000000 6f75740000000000   # Output.OutputName: "out"`
	outputIDHex = `
		4b00000000000000                    # OutputID: 75 bytes
		7368613235363a30 3030303030303030   #   "sha256:0" "00000000"
		3030303030303030 3030303030303030   #   …
		3030303030303030 3030303030303030
		3030303030303030 3030303030303030
		3030303030303021 6f75740000000000   #   "0000000!" "out", padding`
	buildHex = `
		0f00000000000000                    # Builder: 15 bytes
		62332e61636d652e 6578616d706c6500   #   "b3.acme.example", padding
		0000000000000000                    # Status: Built
		80e14e6800000000                    # BuiltAt: 1750000000`
	tagsHex = `
		0200000000000000                    # Tags: 2
		0f00000000000000                    #   15 bytes
		72656c656173653d 323032352e303600   #   "release=2025.06", padding
		0a00000000000000                    #   10 bytes
		7465616d3d696e66 7261000000000000   #   "team=infra", padding`
)

// unhex decodes a hex dump in the format above.
func unhex(t *testing.T, dump ...string) []byte {
	t.Helper()
	var digits strings.Builder
	for _, d := range dump {
		for line := range strings.SplitSeq(d, "\n") {
			line, _, _ = strings.Cut(line, "#")
			digits.WriteString(strings.Join(strings.Fields(line), ""))
		}
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		t.Fatalf("bad hex dump: %v", err)
	}
	return b
}

// roundTrip encodes m at p on the byte path and the stream path, checks
// that both give want and that WireSize agrees, and decodes want into a
// new value of m's type on both paths, returning the result of the byte
// path (the stream path's must be equal).
func roundTrip[T any, PT interface {
	*T
	wire.Message
}](t *testing.T, m PT, p wire.Proto, want []byte) *T {
	t.Helper()
	got, err := wire.Marshal(m, p)
	if err != nil {
		t.Fatalf("Marshal at %v: %v", p, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Marshal at %v:\n got %x\nwant %x", p, got, want)
	}
	if n := m.WireSize(p); n != len(want) {
		t.Errorf("WireSize at %v = %d, want %d", p, n, len(want))
	}
	var buf bytes.Buffer
	if err := wire.Encode(wire.NewWriter(&buf), m, p); err != nil {
		t.Fatalf("Encode at %v: %v", p, err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Encode at %v:\n got %x\nwant %x", p, buf.Bytes(), want)
	}

	var out T
	if err := wire.Unmarshal(want, PT(&out), p); err != nil {
		t.Fatalf("Unmarshal at %v: %v", p, err)
	}
	var streamed T
	if err := wire.Decode(wire.NewReader(bytes.NewReader(want)), PT(&streamed), p); err != nil {
		t.Fatalf("Decode at %v: %v", p, err)
	}
	if !reflect.DeepEqual(streamed, out) {
		t.Errorf("Decode at %v = %+v, Unmarshal = %+v", p, streamed, out)
	}
	return &out
}

// TestProvenance encodes a Provenance at 1.38 and 1.39, with and without
// the feature: the fields whose gates do not hold are not on the wire and
// decode as their zero values; at 1.38 that includes the tags.
func TestProvenance(t *testing.T) {
	tests := []struct {
		name  string
		p     wire.Proto
		dump  []string
		clear func(*extend.Provenance) // the fields that are not on the wire at p
	}{{
		name: "1.38",
		p:    v138,
		dump: []string{pathHex, outputIDHex, buildHex},
		clear: func(v *extend.Provenance) {
			v.Output = messages.DrvOutput{}
			v.Tags = nil
		},
	}, {
		name: "1.38+path-not-hash",
		p:    v138Path,
		dump: []string{pathHex, outputHex, buildHex},
		clear: func(v *extend.Provenance) {
			v.OutputID = ""
			v.Tags = nil
		},
	}, {
		name: "1.39+path-not-hash",
		p:    v139Path,
		dump: []string{pathHex, outputHex, buildHex, tagsHex},
		clear: func(v *extend.Provenance) {
			v.OutputID = ""
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := provenance()
			got := roundTrip(t, &in, tt.p, unhex(t, tt.dump...))
			want := provenance()
			tt.clear(&want)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("decoded at %v:\n got %+v\nwant %+v", tt.p, *got, want)
			}
		})
	}
}

// TestQueryProvenance encodes the messages of op QueryProvenance, which
// wrap a Provenance, so that the tags gate applies inside the reply too.
func TestQueryProvenance(t *testing.T) {
	req := &extend.QueryProvenanceRequest{Path: helloPath}
	if got := roundTrip(t, req, v138, unhex(t, pathHex)); *got != *req {
		t.Errorf("request decoded as %+v, want %+v", *got, *req)
	}

	none := &extend.QueryProvenanceReply{}
	if got := roundTrip(t, none, v139Path, unhex(t, "0000000000000000")); got.Provenance != nil {
		t.Errorf("none decoded as %+v", *got.Provenance)
	}

	prov := provenance()
	reply := &extend.QueryProvenanceReply{Provenance: &prov}
	got := roundTrip(t, reply, v138Path, unhex(t, "0100000000000000", pathHex, outputHex, buildHex))
	if got.Provenance == nil || got.Provenance.Tags != nil || got.Provenance.Builder != prov.Builder {
		t.Errorf("reply decoded at 1.38 as %+v, want the record without tags", got.Provenance)
	}
	got = roundTrip(t, reply, v139Path, unhex(t, "0100000000000000", pathHex, outputHex, buildHex, tagsHex))
	if got.Provenance == nil || !slices.Equal(got.Provenance.Tags, prov.Tags) {
		t.Errorf("reply decoded at 1.39 as %+v, want the record with tags", got.Provenance)
	}
}

// pathInfo is hello's metadata, as Nix's QueryPathInfo returns it.
func pathInfo() *messages.UnkeyedValidPathInfo {
	return &messages.UnkeyedValidPathInfo{
		Deriver:          helloDrv,
		NarHash:          messages.NarHash(strings.Repeat("ab", 32)),
		References:       []messages.StorePath{"/nix/store/g1-glibc", helloPath},
		RegistrationTime: 1750000000,
		NarSize:          226552,
		Ultimate:         true,
		Sigs:             []messages.Signature{"cache.acme.example-1:c2lnbmF0dXJl"},
	}
}

// TestQueryPathInfoTagged checks the reply derived from Nix's
// QueryPathInfo reply: at every version before 1.39 (1.16 has the legacy
// layout, 1.38 the current one) it encodes byte for byte as Nix's and
// decodes as Nix's with no tags; at 1.39 Nix's bytes are followed by the
// tags.
func TestQueryPathInfoTagged(t *testing.T) {
	tags := []extend.Tag{"release=2025.06", "team=infra"}
	for _, p := range []wire.Proto{wire.P(1, 16), wire.P(1, 17), v138, v138Path, v139Path} {
		for _, info := range []*messages.UnkeyedValidPathInfo{pathInfo(), nil} {
			base := messages.QueryPathInfoReply{Info: info}
			if info != nil && !p.AtLeast(1, 17) {
				base = messages.QueryPathInfoReply{LegacyInfo: *info}
			}
			nixBytes, err := wire.Marshal(&base, p)
			if err != nil {
				t.Fatal(err)
			}
			reply := &extend.QueryPathInfoTaggedReply{QueryPathInfoReply: base, Tags: tags}
			want, wantTags := nixBytes, []extend.Tag(nil)
			if p.AtLeast(1, 39) {
				want, wantTags = append(slices.Clone(nixBytes), unhex(t, tagsHex)...), tags
			}
			got := roundTrip(t, reply, p, want)
			if !reflect.DeepEqual(got.QueryPathInfoReply, base) || !slices.Equal(got.Tags, wantTags) {
				t.Errorf("at %v decoded as %+v, want %+v with tags %q", p, got, base, wantTags)
			}
			if !p.AtLeast(1, 39) {
				// Nix's decoder reads the derived bytes as its own.
				var nix messages.QueryPathInfoReply
				if err := wire.Unmarshal(want, &nix, p); err != nil || !reflect.DeepEqual(nix, base) {
					t.Errorf("at %v Nix's decoder: %+v, %v", p, nix, err)
				}
			}
		}
	}
}

// TestQueryPathInfoTaggedBytes spells the 1.39 reply of an invalid path
// out: no info, then the tags (none).
func TestQueryPathInfoTaggedBytes(t *testing.T) {
	got := roundTrip(t, &extend.QueryPathInfoTaggedReply{}, v139Path, unhex(t, `
		0000000000000000 # Info: none
		0000000000000000 # Tags: 0`))
	if got.Info != nil || len(got.Tags) != 0 {
		t.Errorf("none decoded as %+v", got)
	}
	got = roundTrip(t, &extend.QueryPathInfoTaggedReply{Tags: []extend.Tag{"a"}}, v138, unhex(t, `
		0000000000000000 # Info: none; no tags at 1.38`))
	if got.Tags != nil {
		t.Errorf("tags decoded at 1.38: %q", got.Tags)
	}
}

// TestConversions converts between the derived reply and Nix's: the base
// value is the embedded field, and a derived value made from a base one
// gives the base back unchanged.
func TestConversions(t *testing.T) {
	base := messages.QueryPathInfoReply{Info: pathInfo()}
	derived := extend.QueryPathInfoTaggedReply{QueryPathInfoReply: base}
	if !reflect.DeepEqual(derived.QueryPathInfoReply, base) {
		t.Errorf("base → derived → base changed the value: %+v", derived.QueryPathInfoReply)
	}
	derived.Tags = []extend.Tag{"team=infra"}
	if b, ok := wire.BaseOf(&derived).(*messages.QueryPathInfoReply); !ok || !reflect.DeepEqual(*b, base) {
		t.Errorf("wire.BaseOf(derived) = %+v", wire.BaseOf(&derived))
	}
	if wire.BaseOf(&base) != nil {
		t.Error("Nix's reply has a base")
	}
}

// TestOpTable looks up inherited, re-declared and new ops by code and
// protocol in ExtProtocol, which tries acmed's ops first and then Nix's.
func TestOpTable(t *testing.T) {
	tests := []struct {
		code  uint64
		p     wire.Proto
		name  string          // "" if the op does not exist at p
		reply wire.Message    // a value of the reply's type
		after wire.StreamKind // what follows the reply
	}{
		// Inherited from nixwire's worker protocol.
		{uint64(messages.OpQueryPathInfo), v138, "QueryPathInfo", &messages.QueryPathInfoReply{}, wire.NoStream},
		{uint64(messages.OpNarFromPath), v139Path, "NarFromPath", nil, wire.RawStream},
		{uint64(messages.OpSubmitOutput), v139Path, "", nil, wire.NoStream}, // needs its feature
		// Re-declared from 1.39: the same code, acmed's reply.
		{uint64(messages.OpQueryPathInfo), v139Path, "QueryPathInfoTagged", &extend.QueryPathInfoTaggedReply{}, wire.NoStream},
		// New in acmed.
		{uint64(extend.OpQueryProvenance), wire.P(1, 37), "", nil, wire.NoStream},
		{uint64(extend.OpQueryProvenance), v138, "QueryProvenance", &extend.QueryProvenanceReply{}, wire.NoStream},
		{uint64(extend.OpQueryProvenance), v139Path, "QueryProvenance", &extend.QueryProvenanceReply{}, wire.NoStream},
	}
	for _, tt := range tests {
		op, ok := extend.ExtProtocol.Lookup(tt.code, tt.p)
		if tt.name == "" {
			if ok {
				t.Errorf("Lookup(%d, %v) = %s, want none", tt.code, tt.p, op.Name)
			}
			continue
		}
		if !ok || op.Name != tt.name {
			t.Errorf("Lookup(%d, %v) = %v, %v, want %s", tt.code, tt.p, op, ok, tt.name)
			continue
		}
		if tt.reply != nil {
			if got := op.NewReply(); reflect.TypeOf(got) != reflect.TypeOf(tt.reply) {
				t.Errorf("%s.NewReply() is a %T, want %T", op.Name, got, tt.reply)
			}
		}
		if got := op.ReplyStream(tt.p); got != tt.after {
			t.Errorf("%s.ReplyStream(%v) = %v, want %v", op.Name, tt.p, got, tt.after)
		}
	}
	if extend.OpQueryPathInfoTagged != extend.ExtOpCode(messages.OpQueryPathInfo) {
		t.Errorf("QueryPathInfoTagged has code %d, want Nix's %d", extend.OpQueryPathInfoTagged, messages.OpQueryPathInfo)
	}
	if !extend.ExtProtocol.Extends(messages.WorkerProtocol) {
		t.Error("ExtProtocol does not extend the worker protocol")
	}
	if (&extend.QueryProvenanceRequest{}).Op() != extend.OpQueryProvenance {
		t.Error("QueryProvenanceRequest.Op() is not OpQueryProvenance")
	}
}

// TestOpCodesAreFree checks that acmed's new ops use no code of Nix's
// worker protocol at any version: only the ops re-declared from Nix's
// (which keep Nix's code, from a version on) share one.
func TestOpCodesAreFree(t *testing.T) {
	for _, ext := range extend.ExtOps {
		for _, op := range messages.WorkerOps {
			if op.Code == ext.Code && ext.Name != "QueryPathInfoTagged" {
				t.Errorf("%s has code %d, which Nix's %s uses", ext.Name, ext.Code, op.Name)
			}
		}
	}
}

// TestTagLimit checks the limit of Tag (256 bytes) in both directions;
// decode errors name the field and the byte offset.
func TestTagLimit(t *testing.T) {
	long := extend.Tag(strings.Repeat("x", 257))
	reply := &extend.QueryPathInfoTaggedReply{Tags: []extend.Tag{long}}
	if _, err := wire.Marshal(reply, v139Path); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("Marshal of a 257-byte tag: %v, want ErrTooLarge", err)
	}

	b := unhex(t, `
		0000000000000000 # Info: none
		0100000000000000 # Tags: 1
		0101000000000000 #   257 bytes`)
	b = append(b, make([]byte, 264)...)
	err := wire.Unmarshal(b, new(extend.QueryPathInfoTaggedReply), v139Path)
	const want = "decode QueryPathInfoTaggedReply.Tags[0] at byte 16: string length 257 exceeds limit 256"
	if !errors.Is(err, wire.ErrTooLarge) || err.Error() != want {
		t.Errorf("Unmarshal of a 257-byte tag: %v, want %q", err, want)
	}
}
