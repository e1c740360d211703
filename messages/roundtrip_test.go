package messages

// Round trips of every generated type at every version: values filled by a
// seeded generator guided by the checked schema (schema.Load of this
// directory: field types, limits, gates, defaults) are encoded and decoded
// on the byte and the stream path; the decoded value must equal the
// original with the fields gated out at that version set to their declared
// defaults, both paths must give the same bytes, WireSize must be exact,
// and the decoded value must re-encode to the same bytes.

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

var roundTripN = flag.Int("roundtrip.n", 4, "random values per type and version in TestRoundTrip")

// Versions of the round trips.
var (
	workerVersions = []wire.Version{
		wire.V(1, 10), wire.V(1, 15), wire.V(1, 16), wire.V(1, 21), wire.V(1, 25), wire.V(1, 27), wire.V(1, 29),
		wire.V(1, 30), wire.V(1, 32), wire.V(1, 34), wire.V(1, 35), wire.V(1, 37), wire.V(1, 38),
	}
	allFeatures = []string{
		FeatureRealisationWithPathNotHash, FeatureDeleteDeadSpecificReferrers,
		FeatureDisableSetOptions, FeatureAddToStoreScanning, FeatureSubmitOutput,
	}
	serveVersions = []wire.Version{
		wire.V(2, 1), wire.V(2, 2), wire.V(2, 3), wire.V(2, 4), wire.V(2, 5), wire.V(2, 6), wire.V(2, 7), wire.V(2, 8),
	}
)

// workerProtos are the worker versions, then 1.38 with each feature and
// with all of them.
func workerProtos() []wire.Proto {
	var ps []wire.Proto
	for _, v := range workerVersions {
		ps = append(ps, wire.Proto{Version: v})
	}
	for _, f := range allFeatures {
		ps = append(ps, wire.P(1, 38, f))
	}
	return append(ps, wire.P(1, 38, allFeatures...))
}

func serveProtos() []wire.Proto {
	var ps []wire.Proto
	for _, v := range serveVersions {
		ps = append(ps, wire.Proto{Version: v})
	}
	return ps
}

// ---------------------------------------------------------------------------
// The registry of generated types.

// declaredTypes are the generated types that are not an op's request or
// reply (those come from the op tables).
var declaredTypes = []wire.Message{
	// common.schema
	new(StorePath), new(ContentAddress), new(ContentAddressMethod), new(DerivedPath), new(OutputName),
	new(NarHash), new(Signature), new(DrvOutputID), new(RealisationJSON), new(BuildMode), new(GCAction),
	new(BuildStatus), new(Verbosity), new(ActivityType), new(ResultType), new(TrustedFlag), new(Ack),
	new(DrvOutput), new(UnkeyedRealisation), new(Realisation), new(DerivationOutput), new(BasicDerivation),
	new(SubstitutablePathInfo),
	// worker.schema
	new(WorkerClientHello), new(WorkerServerHello), new(WorkerClientVersion), new(FeatureSet),
	new(ClientPostHandshake), new(ClientHandshakeInfo), new(StderrNext), new(StderrRead), new(StderrReadData),
	new(StderrWrite), new(StderrLast), new(StderrError), new(Trace), new(StderrStartActivity),
	new(StderrStopActivity), new(StderrResult), new(FieldInt), new(FieldString), new(UnkeyedValidPathInfo),
	new(ValidPathInfo), new(BuildResult), new(KeyedBuildResult), new(Missing), new(Setting), new(ClientSettings),
	new(GCPathsSpecific), new(GCPathsWholeStore), new(GCOptions), new(GCResults), new(GCRoot),
	new(SingleDerivedPathOpaque), new(SingleDerivedPathBuilt), new(AddToStoreRequest), new(AddToStoreReply),
	new(AddMultipleToStoreEntry),
	// serve.schema
	new(ServeClientHello), new(ServeServerHello), new(ServeClientVersion), new(ServeUnkeyedValidPathInfo),
	new(ServePathInfo), new(ServeBuildOptions), new(ServeBuildResult),
}

// unionCodec is the generated Size/Append/Consume/Encode/Decode functions
// of one union, over any.
type unionCodec struct {
	typ  reflect.Type // the interface type
	size func(any, wire.Proto) int
	app  func([]byte, any, wire.Proto) ([]byte, error)
	cons func([]byte, wire.Proto) (any, []byte, error)
	enc  func(*wire.Writer, any, wire.Proto) error
	dec  func(*wire.Reader, wire.Proto) (any, error)
}

func codec[U any](
	size func(U, wire.Proto) int,
	app func([]byte, U, wire.Proto) ([]byte, error),
	cons func([]byte, wire.Proto) (U, []byte, error),
	enc func(*wire.Writer, U, wire.Proto) error,
	dec func(*wire.Reader, wire.Proto) (U, error),
) *unionCodec {
	as := func(v any) U { u, _ := v.(U); return u }
	return &unionCodec{
		typ:  reflect.TypeFor[U](),
		size: func(v any, p wire.Proto) int { return size(as(v), p) },
		app:  func(b []byte, v any, p wire.Proto) ([]byte, error) { return app(b, as(v), p) },
		cons: func(b []byte, p wire.Proto) (any, []byte, error) {
			u, rest, err := cons(b, p)
			return any(u), rest, err
		},
		enc: func(w *wire.Writer, v any, p wire.Proto) error { return enc(w, as(v), p) },
		dec: func(r *wire.Reader, p wire.Proto) (any, error) { u, err := dec(r, p); return any(u), err },
	}
}

var unionCodecs = map[string]*unionCodec{
	"Stderr":            codec(SizeStderr, AppendStderr, ConsumeStderr, EncodeStderr, DecodeStderr),
	"Field":             codec(SizeField, AppendField, ConsumeField, EncodeField, DecodeField),
	"GCPaths":           codec(SizeGCPaths, AppendGCPaths, ConsumeGCPaths, EncodeGCPaths, DecodeGCPaths),
	"SingleDerivedPath": codec(SizeSingleDerivedPath, AppendSingleDerivedPath, ConsumeSingleDerivedPath, EncodeSingleDerivedPath, DecodeSingleDerivedPath),
}

// unionMsg is a union value as a wire.Message.
type unionMsg struct {
	V any
	c *unionCodec
}

func (u *unionMsg) WireSize(p wire.Proto) int { return u.c.size(u.V, p) }
func (u *unionMsg) AppendWire(b []byte, p wire.Proto) ([]byte, error) {
	return u.c.app(b, u.V, p)
}
func (u *unionMsg) ConsumeWire(b []byte, p wire.Proto) ([]byte, error) {
	v, rest, err := u.c.cons(b, p)
	if err == nil {
		u.V = v
	}
	return rest, err
}
func (u *unionMsg) EncodeWire(w *wire.Writer, p wire.Proto) error { return u.c.enc(w, u.V, p) }
func (u *unionMsg) DecodeWire(r *wire.Reader, p wire.Proto) error {
	v, err := u.c.dec(r, p)
	if err == nil {
		u.V = v
	}
	return err
}

// rtType is one generated type to round-trip.
type rtType struct {
	name   string
	decl   schema.Decl
	goType reflect.Type // the pointer type of a message; nil for a union
	union  *unionCodec
}

// newValue returns a new zero value of the type and the reflect.Value to
// fill.
func (e *rtType) newValue() (wire.Message, reflect.Value) {
	if e.union != nil {
		u := &unionMsg{c: e.union}
		return u, reflect.ValueOf(u).Elem().Field(0)
	}
	v := reflect.New(e.goType.Elem())
	return v.Interface().(wire.Message), v.Elem()
}

// protos are the versions the type is used at: worker, serve or both,
// depending on its schema file.
func (e *rtType) protos() []wire.Proto {
	switch filepath.Base(e.decl.DeclPos().File) {
	case "worker.schema":
		return workerProtos()
	case "serve.schema":
		return serveProtos()
	}
	return append(workerProtos(), serveProtos()...)
}

var loadSchemaOnce = sync.OnceValues(func() (*schema.Package, error) {
	return schema.Load([]string{"."}, schema.LoadConfig{Dir: ".", Name: "messages", Path: "github.com/nixwire/nixwire/messages"})
})

func loadSchema(t testing.TB) *schema.Package {
	t.Helper()
	pkg, err := loadSchemaOnce()
	if err != nil {
		t.Fatalf("loading the schema: %v", err)
	}
	return pkg
}

// goTypes maps every generated message type name to its pointer type, from
// the op tables and declaredTypes.
func goTypes() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	add := func(msg wire.Message) {
		rt := reflect.TypeOf(msg)
		m[rt.Elem().Name()] = rt
	}
	for _, table := range []wire.OpTable{WorkerOps, ServeOps} {
		for _, op := range table {
			add(op.NewRequest())
			if op.NewReply != nil {
				add(op.NewReply())
			}
		}
	}
	for _, msg := range declaredTypes {
		add(msg)
	}
	return m
}

// allRoundTripTypes returns every generated type, sorted by name.
func allRoundTripTypes(t testing.TB) []*rtType {
	pkg := loadSchema(t)
	types := goTypes()
	var out []*rtType
	for _, d := range pkg.Decls {
		e := &rtType{name: d.DeclName(), decl: d}
		if _, ok := d.(*schema.Union); ok {
			e.union = unionCodecs[e.name]
			if e.union == nil {
				t.Fatalf("union %s has no entry in unionCodecs", e.name)
			}
		} else if e.goType = types[e.name]; e.goType == nil {
			t.Fatalf("type %s is neither in an op table nor in declaredTypes", e.name)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// TestRoundTripCoversGenerated scans the generated files: every
// `_ wire.Message = (*X)(nil)` assertion and every union interface must be a
// round-tripped type, and every union variant marker must belong to a
// variant the schema declares.
func TestRoundTripCoversGenerated(t *testing.T) {
	covered := map[string]bool{}
	variants := map[string]bool{}
	for _, e := range allRoundTripTypes(t) {
		covered[e.name] = true
		if u, ok := e.decl.(*schema.Union); ok {
			for _, v := range u.Variants {
				variants[v.Struct.Name+"."+e.name] = true
			}
		}
	}
	files, err := filepath.Glob("*_gen.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated files: %v", err)
	}
	assertRE := regexp.MustCompile(`_ wire\.Message = \(\*(\w+)\)\(nil\)`)
	unionRE := regexp.MustCompile(`(?m)^type (\w+) interface \{`)
	markerRE := regexp.MustCompile(`(?m)^func \(\*(\w+)\) is(\w+)\(\) \{\}`)
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range assertRE.FindAllSubmatch(src, -1) {
			n++
			if !covered[string(m[1])] {
				t.Errorf("%s: generated type %s is not round-tripped (add it to declaredTypes)", f, m[1])
			}
		}
		for _, m := range unionRE.FindAllSubmatch(src, -1) {
			if name := string(m[1]); name == "WorkerHandler" || name == "ServeHandler" {
				continue // the generated server surface of a protocol, not a union
			}
			n++
			if !covered[string(m[1])] {
				t.Errorf("%s: generated union %s is not round-tripped (add it to unionCodecs)", f, m[1])
			}
		}
		for _, m := range markerRE.FindAllSubmatch(src, -1) {
			if !variants[string(m[1])+"."+string(m[2])] {
				t.Errorf("%s: %s marks itself a variant of %s, which the schema does not declare", f, m[1], m[2])
			}
		}
	}
	if n != len(covered) {
		t.Errorf("the generated files declare %d message types and unions, the schema %d", n, len(covered))
	}
}

// ---------------------------------------------------------------------------
// The generator of values.

// filler fills values of schema types with random content.
type filler struct {
	rng     *rand.Rand
	p       wire.Proto
	minimal bool // empty collections, no optionals, shortest strings
	depth   int
	types   map[string]reflect.Type
}

const fillMaxDepth = 4

func (g *filler) small() int {
	if g.minimal || g.depth > fillMaxDepth {
		return 0
	}
	return g.rng.IntN(4)
}

// count returns a collection size within t's limits.
func (g *filler) count(t *schema.Type) int {
	n := max(uint64(g.small()), t.Min)
	return int(min(n, t.Max))
}

const fillAlphabet = "abcdfghijklmnpqrsvwxyz0123456789-_+.=?"

func (g *filler) str(t *schema.Type) string {
	n := uint64(g.small() * 3)
	if !g.minimal && g.rng.IntN(8) == 0 {
		n = uint64(g.rng.IntN(300))
	}
	n = min(max(n, t.Min), t.Max)
	b := make([]byte, n)
	for i := range b {
		if g.rng.IntN(16) == 0 {
			b[i] = byte(g.rng.IntN(256)) // any byte, NUL and non-UTF-8 included
		} else {
			b[i] = fillAlphabet[g.rng.IntN(len(fillAlphabet))]
		}
	}
	return string(b)
}

func (g *filler) storePath() string {
	const nix32 = "0123456789abcdfghijklmnpqrsvwxyz"
	h := make([]byte, 32)
	for i := range h {
		h[i] = nix32[g.rng.IntN(len(nix32))]
	}
	name := "p"
	if !g.minimal {
		name = fmt.Sprintf("name-%d", g.rng.IntN(1000))
	}
	return "/nix/store/" + string(h) + "-" + name
}

func (g *filler) uint(max uint64) uint64 {
	if g.minimal {
		return 0
	}
	switch g.rng.IntN(4) {
	case 0:
		return 0
	case 1:
		return max
	default:
		return g.rng.Uint64N(max) + 1
	}
}

// fill sets v to a random value of t.
func (g *filler) fill(v reflect.Value, t *schema.Type) {
	switch t.Kind {
	case schema.U8:
		v.SetUint(g.uint(math.MaxUint8))
	case schema.U16:
		v.SetUint(g.uint(math.MaxUint16))
	case schema.U32:
		v.SetUint(g.uint(math.MaxUint32))
	case schema.U64:
		v.SetUint(g.uint(math.MaxUint64))
	case schema.I64:
		v.SetInt(int64(g.uint(math.MaxInt64)))
	case schema.Bool:
		v.SetBool(!g.minimal && g.rng.IntN(2) == 0)
	case schema.String:
		v.SetString(g.str(t))
	case schema.Bytes:
		v.SetBytes([]byte(g.str(t)))
	case schema.List, schema.Set:
		n := g.count(t)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			g.fill(s.Index(i), t.Elem)
			if t.Terminated {
				ensureLeading(s.Index(i))
			}
		}
		v.Set(s)
	case schema.Map:
		n := g.count(t)
		m := reflect.MakeMapWithSize(v.Type(), n)
		for range n {
			k := reflect.New(v.Type().Key()).Elem()
			g.fill(k, t.Key)
			e := reflect.New(v.Type().Elem()).Elem()
			g.fill(e, t.Elem)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case schema.Optional:
		if t.Empty { // the element's Go type; "" is none
			if !g.minimal && g.rng.IntN(3) > 0 {
				g.fill(v, t.Elem)
			} else {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		if g.minimal || g.rng.IntN(3) == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		e := reflect.New(v.Type().Elem())
		g.fill(e.Elem(), t.Elem)
		v.Set(e)
	case schema.Ref:
		g.fillDecl(v, t.Decl)
	default:
		panic(fmt.Sprintf("fill: kind %v", t.Kind))
	}
}

func (g *filler) fillDecl(v reflect.Value, d schema.Decl) {
	switch d := d.(type) {
	case *schema.Named:
		if d.Validate {
			if d.Name != "StorePath" {
				panic("fill: a validated type other than StorePath: teach the filler its rules")
			}
			v.SetString(g.storePath())
			return
		}
		g.fill(v, d.Type)
	case *schema.Enum:
		var vals []uint64
		for _, ev := range d.Values {
			if ev.Gate.Holds(g.p) {
				vals = append(vals, ev.Value)
			}
		}
		switch {
		case d.Open && !g.minimal && g.rng.IntN(5) == 0:
			v.SetUint(1000 + g.rng.Uint64N(1000)) // unknown, kept by open enums
		case len(vals) > 0 && !g.minimal:
			v.SetUint(vals[g.rng.IntN(len(vals))])
		case len(vals) > 0:
			v.SetUint(vals[0])
		}
	case *schema.Struct:
		g.fillStruct(v, d)
	case *schema.Union:
		var cands []*schema.Variant
		for _, vr := range d.Variants {
			if vr.Gate.Holds(g.p) {
				cands = append(cands, vr)
			}
		}
		if len(cands) == 0 {
			cands = d.Variants // only valid where the field is gated out
		}
		vr := cands[0]
		if !g.minimal && g.depth <= fillMaxDepth {
			vr = cands[g.rng.IntN(len(cands))]
		}
		pt := g.types[vr.Struct.Name]
		x := reflect.New(pt.Elem())
		g.fillStruct(x.Elem(), vr.Struct)
		v.Set(x)
	default:
		panic(fmt.Sprintf("fill: declaration %T", d))
	}
}

// ensureLeading makes the leading string of an element of a terminated
// list non-empty (an empty one would end the list).
func ensureLeading(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.Len() == 0 {
			v.SetString("x")
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.SetBytes([]byte("x"))
		}
	case reflect.Struct:
		ensureLeading(v.Field(0))
	}
}

func (g *filler) fillStruct(v reflect.Value, s *schema.Struct) {
	g.depth++
	defer func() { g.depth-- }()
	for _, f := range s.Fields {
		if f.Const != nil {
			continue
		}
		fv := v.FieldByName(f.Name)
		if !fv.IsValid() {
			panic(fmt.Sprintf("schema field %s.%s has no Go field", s.Name, f.Name))
		}
		if f.At != nil { // encoded at a fixed version, without features
			at := *g
			at.p = wire.Proto{Version: *f.At}
			at.fill(fv, f.Type)
			g.rng = at.rng
		} else {
			g.fill(fv, f.Type)
		}
		if !onWire(s, f, g.p, v) { // encoding another value there is an error
			setDefault(fv, f)
		}
	}
}

// onWire reports whether field f of s, a field of the struct value v, is
// encoded at p: its layout is selected, its gates hold, and its when
// condition holds on the value the decoder sees of the field it compares
// (that field's default where it is not on the wire itself).
func onWire(s *schema.Struct, f *schema.Field, p wire.Proto, v reflect.Value) bool {
	if s.Layouts != nil {
		var sel *schema.Layout
		for _, l := range s.Layouts {
			if l.Gate.Holds(p) {
				sel = l
				break
			}
		}
		if sel == nil || !slices.Contains(sel.Fields, f) {
			return false
		}
	}
	if !f.Gate.Holds(p) {
		return false
	}
	if c := f.When; c != nil {
		seen := reflect.New(v.FieldByName(c.Field.Name).Type()).Elem()
		if onWire(s, c.Field, p, v) {
			seen.Set(v.FieldByName(c.Field.Name))
		} else {
			setDefault(seen, c.Field)
		}
		want := reflect.New(seen.Type()).Elem()
		setLiteral(want, c.Value)
		if seen.Equal(want) != c.Equal {
			return false
		}
	}
	return true
}

// setDefault sets fv to f's declared default (the Go zero value if none).
func setDefault(fv reflect.Value, f *schema.Field) {
	fv.Set(reflect.Zero(fv.Type()))
	if f.Default != nil {
		setLiteral(fv, f.Default)
	}
}

// setLiteral sets fv to the value of a schema literal.
func setLiteral(fv reflect.Value, d *schema.Literal) {
	switch d.Kind {
	case schema.IntLit:
		if fv.CanUint() {
			fv.SetUint(d.Int)
		} else {
			fv.SetInt(int64(d.Int))
		}
	case schema.StringLit:
		fv.SetString(d.Str)
	case schema.BoolLit:
		fv.SetBool(d.Bool)
	case schema.IdentLit:
		fv.SetUint(d.Value.Value)
	}
}

// expect turns v (a copy of the encoded value) into what decoding must
// give at p: every field not on the wire is reset to its default.
func expect(v reflect.Value, t *schema.Type, p wire.Proto) {
	switch t.Kind {
	case schema.List, schema.Set:
		for i := range v.Len() {
			expect(v.Index(i), t.Elem, p)
		}
	case schema.Map:
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			expect(e, t.Elem, p)
			v.SetMapIndex(iter.Key(), e)
		}
	case schema.Optional:
		if !t.Empty && !v.IsNil() {
			expect(v.Elem(), t.Elem, p)
		}
	case schema.Ref:
		switch d := t.Decl.(type) {
		case *schema.Named:
			expect(v, d.Type, p)
		case *schema.Struct:
			expectStruct(v, d, p)
		case *schema.Union:
			if !v.IsNil() {
				x := v.Elem() // the variant pointer
				for _, vr := range d.Variants {
					if vr.Struct.Name == x.Type().Elem().Name() {
						expectStruct(x.Elem(), vr.Struct, p)
					}
				}
			}
		}
	}
}

// expectStruct resets the fields of v not on the wire at p, in field
// order, so that a when condition sees the earlier field as decoded.
func expectStruct(v reflect.Value, s *schema.Struct, p wire.Proto) {
	for _, f := range s.Fields {
		if f.Const != nil {
			continue
		}
		fv := v.FieldByName(f.Name)
		if !onWire(s, f, p, v) {
			setDefault(fv, f)
			continue
		}
		if f.At != nil {
			expect(fv, f.Type, wire.Proto{Version: *f.At})
		} else {
			expect(fv, f.Type, p)
		}
	}
}

// deepCopy returns a copy of v sharing nothing mutable with it.
func deepCopy(v reflect.Value) reflect.Value {
	c := reflect.New(v.Type()).Elem()
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(deepCopy(v.Elem()))
			c.Set(p)
		}
	case reflect.Interface:
		if !v.IsNil() {
			c.Set(deepCopy(v.Elem()))
		}
	case reflect.Slice:
		if !v.IsNil() {
			s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			for i := range v.Len() {
				s.Index(i).Set(deepCopy(v.Index(i)))
			}
			c.Set(s)
		}
	case reflect.Map:
		if !v.IsNil() {
			m := reflect.MakeMapWithSize(v.Type(), v.Len())
			iter := v.MapRange()
			for iter.Next() {
				m.SetMapIndex(iter.Key(), deepCopy(iter.Value()))
			}
			c.Set(m)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if c.Field(i).CanSet() {
				c.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
	default:
		c.Set(v)
	}
	return c
}

// seedFor derives the seed of one round trip.
func seedFor(name string, p wire.Proto, i int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%d", name, p, i)
	return h.Sum64()
}

// cmpValue returns what go-cmp compares of a message: the union value of
// a union, else the message.
func cmpValue(m wire.Message) any {
	if u, ok := m.(*unionMsg); ok {
		return u.V
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	types := goTypes()
	for _, e := range allRoundTripTypes(t) {
		t.Run(e.name, func(t *testing.T) {
			ref := &schema.Type{Kind: schema.Ref, Name: e.name, Decl: e.decl}
			for _, p := range e.protos() {
				for i := range *roundTripN + 1 {
					seed := seedFor(e.name, p, i)
					g := &filler{rng: rand.New(rand.NewPCG(seed, 0)), p: p, minimal: i == 0, types: types}
					orig, ov := e.newValue()
					g.fill(ov, ref)
					// A dirty receiver for the stream path: another value.
					dirty, dv := e.newValue()
					g.fill(dv, ref)
					if err := roundTrip(e, ref, orig, ov, dirty, p); err != nil {
						t.Fatalf("%s at %v, value %d (seed %#x, derived from the three; rerun with -run 'TestRoundTrip/%s$'): %v",
							e.name, p, i, seed, e.name, err)
					}
				}
			}
		})
	}
}

// roundTrip checks one value at one version.
func roundTrip(e *rtType, ref *schema.Type, orig wire.Message, ov reflect.Value, dirty wire.Message, p wire.Proto) error {
	before := deepCopy(ov)
	wantV := deepCopy(ov)
	expect(wantV, ref, p)
	var want wire.Message
	if e.union != nil {
		want = &unionMsg{V: wantV.Interface(), c: e.union}
	} else {
		w := reflect.New(e.goType.Elem())
		w.Elem().Set(wantV)
		want = w.Interface().(wire.Message)
	}

	// Byte path.
	b, err := orig.AppendWire([]byte("prefix"), p)
	if err != nil {
		return fmt.Errorf("AppendWire: %v\nvalue: %s", err, show(orig))
	}
	if string(b[:6]) != "prefix" {
		return fmt.Errorf("AppendWire overwrote the bytes before it")
	}
	b = b[6:]
	if n := orig.WireSize(p); n != len(b) {
		return fmt.Errorf("WireSize %d, AppendWire wrote %d bytes", n, len(b))
	}
	if diff := cmp.Diff(before.Interface(), ov.Interface(), cmpOpts...); diff != "" {
		return fmt.Errorf("encoding changed the value (-before +after):\n%s", diff)
	}
	got, _ := e.newValue()
	rest, err := got.ConsumeWire(append(bytes.Clone(b), "tail"...), p)
	if err != nil {
		return fmt.Errorf("ConsumeWire: %v\nbytes: % x\nvalue: %s", err, b, show(orig))
	}
	if string(rest) != "tail" {
		return fmt.Errorf("ConsumeWire left %q, want the tail", rest)
	}
	if diff := cmp.Diff(cmpValue(want), cmpValue(got), cmpOpts...); diff != "" {
		return fmt.Errorf("ConsumeWire value (-want +got):\n%s", diff)
	}
	again, err := got.AppendWire(nil, p)
	if err != nil || !bytes.Equal(again, b) {
		return fmt.Errorf("the decoded value re-encodes differently (%v):\n%s", err, hexDiff(b, again))
	}

	// Stream path: same bytes; decoding into a used value gives the same.
	var buf bytes.Buffer
	w := wire.NewWriterSize(&buf, 64)
	if err := orig.EncodeWire(w, p); err != nil {
		return fmt.Errorf("EncodeWire: %v", err)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if !bytes.Equal(buf.Bytes(), b) {
		return fmt.Errorf("EncodeWire and AppendWire differ:\n%s", hexDiff(b, buf.Bytes()))
	}
	r := wire.NewReaderSize(iotestOneByte(b), 64)
	if err := dirty.DecodeWire(r, p); err != nil {
		return fmt.Errorf("DecodeWire: %v\nbytes: % x", err, b)
	}
	if r.Offset() != int64(len(b)) {
		return fmt.Errorf("DecodeWire consumed %d of %d bytes", r.Offset(), len(b))
	}
	if _, err := r.Uint64(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("DecodeWire: not at the end of input: %v", err)
	}
	if diff := cmp.Diff(cmpValue(want), cmpValue(dirty), cmpOpts...); diff != "" {
		return fmt.Errorf("DecodeWire into a used value (-want +got):\n%s", diff)
	}
	return nil
}

// show formats a value for a failure message.
func show(m wire.Message) string {
	s := fmt.Sprintf("%+v", cmpValue(m))
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return strings.ReplaceAll(s, "\n", " ")
}
