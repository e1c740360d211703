package everything_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nixwire/nixwire/gen/internal/everything"
	"github.com/nixwire/nixwire/gen/internal/everything/base"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

var seedFlag = flag.Uint64("seed", 1, "first seed of the populated-value generator")

// goTypes maps "package.Type" to the Go type of every declaration of the
// everything and base schemas that is a wire.Message (unions excepted).
var goTypes = map[string]reflect.Type{
	"everything.StorePath":         reflect.TypeFor[everything.StorePath](),
	"everything.Hash":              reflect.TypeFor[everything.Hash](),
	"everything.Paths":             reflect.TypeFor[everything.Paths](),
	"everything.Counter":           reflect.TypeFor[everything.Counter](),
	"everything.Env":               reflect.TypeFor[everything.Env](),
	"everything.Name":              reflect.TypeFor[everything.Name](),
	"everything.Flag":              reflect.TypeFor[everything.Flag](),
	"everything.Stamp":             reflect.TypeFor[everything.Stamp](),
	"everything.Mode":              reflect.TypeFor[everything.Mode](),
	"everything.Level":             reflect.TypeFor[everything.Level](),
	"everything.Prims":             reflect.TypeFor[everything.Prims](),
	"everything.ValidPathInfo":     reflect.TypeFor[everything.ValidPathInfo](),
	"everything.Optionals":         reflect.TypeFor[everything.Optionals](),
	"everything.Gated":             reflect.TypeFor[everything.Gated](),
	"everything.Collections":       reflect.TypeFor[everything.Collections](),
	"everything.Empty":             reflect.TypeFor[everything.Empty](),
	"everything.ActionAdd":         reflect.TypeFor[everything.ActionAdd](),
	"everything.ActionDelete":      reflect.TypeFor[everything.ActionDelete](),
	"everything.ActionNew":         reflect.TypeFor[everything.ActionNew](),
	"everything.Versioned":         reflect.TypeFor[everything.Versioned](),
	"everything.Deep":              reflect.TypeFor[everything.Deep](),
	"everything.Outer":             reflect.TypeFor[everything.Outer](),
	"everything.Item":              reflect.TypeFor[everything.Item](),
	"everything.Imported":          reflect.TypeFor[everything.Imported](),
	"everything.PingRequest":       reflect.TypeFor[everything.PingRequest](),
	"everything.QueryRequest":      reflect.TypeFor[everything.QueryRequest](),
	"everything.QueryReply":        reflect.TypeFor[everything.QueryReply](),
	"everything.LogRequest":        reflect.TypeFor[everything.LogRequest](),
	"everything.Never":             reflect.TypeFor[everything.Never](),
	"everything.Magic":             reflect.TypeFor[everything.Magic](),
	"everything.Token":             reflect.TypeFor[everything.Token](),
	"everything.Odd":               reflect.TypeFor[everything.Odd](),
	"everything.Entry":             reflect.TypeFor[everything.Entry](),
	"everything.Entries":           reflect.TypeFor[everything.Entries](),
	"everything.Terminated":        reflect.TypeFor[everything.Terminated](),
	"everything.Conditional":       reflect.TypeFor[everything.Conditional](),
	"everything.LayeredWhen":       reflect.TypeFor[everything.LayeredWhen](),
	"everything.Pinned":            reflect.TypeFor[everything.Pinned](),
	"everything.QueryPathsRequest": reflect.TypeFor[everything.QueryPathsRequest](),
	"everything.QueryPathsReply":   reflect.TypeFor[everything.QueryPathsReply](),
	"everything.BuildRequest":      reflect.TypeFor[everything.BuildRequest](),
	"everything.BuildReply":        reflect.TypeFor[everything.BuildReply](),
	"everything.Boxed":             reflect.TypeFor[everything.Boxed](),
	"everything.Reversioned":       reflect.TypeFor[everything.Reversioned](),
	"everything.Relaid":            reflect.TypeFor[everything.Relaid](),
	"everything.Rederived":         reflect.TypeFor[everything.Rederived](),
	"base.Path":                    reflect.TypeFor[base.Path](),
	"base.Kind":                    reflect.TypeFor[base.Kind](),
	"base.Box":                     reflect.TypeFor[base.Box](),
	"base.Circle":                  reflect.TypeFor[base.Circle](),
	"base.Square":                  reflect.TypeFor[base.Square](),
}

// protos are the protocols every round trip runs at: versions on both sides
// of every gate, with and without each feature.
var protos = []wire.Proto{
	wire.P(1, 0),
	wire.P(1, 10),
	wire.P(1, 19, everything.FeatureFoo),
	wire.P(1, 20),
	wire.P(1, 20, everything.FeatureBar),
	wire.P(1, 25, everything.FeatureFoo, base.FeatureBaz),
	wire.P(1, 26, everything.FeatureFoo),
	wire.P(1, 30, everything.FeatureBar, everything.FeatureFoo),
	wire.P(1, 38, base.FeatureBaz),
	wire.P(1, 40, everything.FeatureFoo, everything.FeatureBar, base.FeatureBaz),
}

// cmpOpts compare decoded values: nil and empty slices and maps are equal.
var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

var (
	loadOnce sync.Once
	loaded   *schema.Package
	loadErr  error
)

// model returns the checked schema of the everything package.
func model(t testing.TB) *schema.Package {
	t.Helper()
	loadOnce.Do(func() {
		files, _ := filepath.Glob("*.schema")
		loaded, loadErr = schema.Load(files, schema.LoadConfig{Dir: ".", Name: "everything",
			Path: "github.com/nixwire/nixwire/gen/internal/everything"})
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

// messageDecls returns every declaration of the everything package that is a
// wire.Message and has values that can be encoded, in declaration order.
func messageDecls(t testing.TB) []schema.Decl {
	var out []schema.Decl
	for _, d := range model(t).Decls {
		switch d := d.(type) {
		case *schema.Union:
			continue
		case *schema.Enum:
			if len(d.Values) == 0 {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

func goType(t testing.TB, d schema.Decl) reflect.Type {
	t.Helper()
	rt, ok := goTypes[d.DeclPkg().Name+"."+d.DeclName()]
	if !ok {
		t.Fatalf("no Go type registered for %s.%s", d.DeclPkg().Name, d.DeclName())
	}
	return rt
}

// newMessage returns a new, zero value of d.
func newMessage(t testing.TB, d schema.Decl) wire.Message {
	return reflect.New(goType(t, d)).Interface().(wire.Message)
}

// populated returns a value of d filled from seed with values that can be
// encoded at p. With asDecoded, the fields that are not on the wire at p
// hold their defaults, as decoding sets them; otherwise they are filled too
// (but required fields, which cannot be encoded then, hold defaults).
func populated(t testing.TB, d schema.Decl, p wire.Proto, seed uint64, asDecoded bool) wire.Message {
	t.Helper()
	f := &filler{t: t, rng: rand.New(rand.NewPCG(seed, 0x6e697877697265)), p: p, reset: asDecoded}
	v := reflect.New(goType(t, d))
	f.decl(v.Elem(), d)
	return v.Interface().(wire.Message)
}

// filler fills Go values of schema types with random data.
type filler struct {
	t     testing.TB
	rng   *rand.Rand
	p     wire.Proto
	reset bool // set the fields that are not on the wire at p to their defaults
}

func (f *filler) decl(v reflect.Value, d schema.Decl) {
	switch d := d.(type) {
	case *schema.Named:
		f.value(v, d.Type, d.Name)
	case *schema.Enum:
		f.enum(v, d)
	case *schema.Struct:
		f.strct(v, d)
	case *schema.Union:
		var ok []*schema.Variant
		for _, vr := range d.Variants {
			if vr.Gate.Holds(f.p) {
				ok = append(ok, vr)
			}
		}
		vr := ok[f.rng.IntN(len(ok))]
		x := reflect.New(goType(f.t, vr.Struct))
		f.strct(x.Elem(), vr.Struct)
		v.Set(x)
	}
}

func (f *filler) enum(v reflect.Value, d *schema.Enum) {
	if d.Open && f.rng.IntN(4) == 0 {
		v.SetUint(1000 + f.rng.Uint64N(1000)) // open enums keep unknown values
		return
	}
	var ok []*schema.EnumValue
	for _, ev := range d.Values {
		if ev.Gate.Holds(f.p) {
			ok = append(ok, ev)
		}
	}
	v.SetUint(ok[f.rng.IntN(len(ok))].Value)
}

func (f *filler) strct(v reflect.Value, s *schema.Struct) {
	// The fields in wire order (those of the selected layout), then the
	// others, which are not on the wire; gated holds whether a field's
	// layout and gates hold.
	order := s.Fields
	gated := map[*schema.Field]bool{}
	if s.Layouts == nil {
		for _, fd := range s.Fields {
			gated[fd] = fd.Gate.Holds(f.p)
		}
	} else {
		order = nil
		for _, l := range s.Layouts {
			if l.Gate.Holds(f.p) {
				for _, fd := range l.Fields {
					gated[fd] = fd.Gate.Holds(f.p)
				}
				order = append(order, l.Fields...)
			}
		}
		for _, fd := range s.Fields {
			if !slices.Contains(order, fd) {
				order = append(order, fd)
			}
		}
	}
	// A field is on the wire when its gates hold and its condition holds
	// on the value the decoder sees of the field it compares.
	on := map[*schema.Field]bool{}
	for _, fd := range order {
		on[fd] = gated[fd] && (fd.When == nil || f.holds(v, fd.When, on[fd.When.Field]))
		if fd.Const != nil {
			continue
		}
		fv := v.FieldByName(fd.Name)
		if fd.At != nil {
			at := *f
			at.p = wire.Proto{Version: *fd.At}
			at.value(fv, fd.Type, "")
		} else {
			f.value(fv, fd.Type, "")
		}
		if !on[fd] { // encoding another value there is an error
			setDefault(fv, fd.Default)
		}
	}
}

// holds reports whether the condition w holds for the struct value v:
// the field it compares holds the literal (or does not), where that
// field's value is its default when it is not on the wire (on is false).
func (f *filler) holds(v reflect.Value, w *schema.Condition, on bool) bool {
	got := v.FieldByName(w.Field.Name)
	if !on {
		got = reflect.New(got.Type()).Elem()
		setDefault(got, w.Field.Default)
	}
	want := reflect.New(got.Type()).Elem()
	setDefault(want, w.Value)
	return got.Equal(want) == w.Equal
}

// setDefault sets v to a field's default: its literal, else the zero value.
func setDefault(v reflect.Value, def *schema.Literal) {
	v.SetZero()
	if def == nil {
		return
	}
	switch def.Kind {
	case schema.StringLit:
		v.SetString(def.Str)
	case schema.BoolLit:
		v.SetBool(def.Bool)
	case schema.IdentLit:
		v.SetUint(def.Value.Value)
	case schema.IntLit:
		if v.CanInt() {
			v.SetInt(int64(def.Int))
		} else {
			v.SetUint(def.Int)
		}
	}
}

// length returns a random length or count in [min, max], kept small.
func (f *filler) length(lo, hi uint64) int {
	hi = min(hi, lo+4)
	return int(lo + f.rng.Uint64N(hi-lo+1))
}

// text returns n random bytes; a StorePath starts with a slash.
func (f *filler) text(n int, named string) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789-._+"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[f.rng.IntN(len(letters))]
	}
	if (named == "StorePath" || named == "Token") && n > 0 {
		b[0] = '/'
	}
	return string(b)
}

// number returns a random number at most max, often an extreme one.
func (f *filler) number(max uint64) uint64 {
	switch f.rng.IntN(5) {
	case 0:
		return 0
	case 1:
		return max
	case 2:
		return f.rng.Uint64N(256)
	}
	if max == math.MaxUint64 {
		return f.rng.Uint64()
	}
	return f.rng.Uint64N(max + 1)
}

func (f *filler) value(v reflect.Value, t *schema.Type, named string) {
	switch t.Kind {
	case schema.U8:
		v.SetUint(f.number(math.MaxUint8))
	case schema.U16:
		v.SetUint(f.number(math.MaxUint16))
	case schema.U32:
		v.SetUint(f.number(math.MaxUint32))
	case schema.U64:
		v.SetUint(f.number(math.MaxUint64))
	case schema.I64:
		v.SetInt(int64(f.number(math.MaxInt64)))
	case schema.Bool:
		v.SetBool(f.rng.IntN(2) == 1)
	case schema.String:
		v.SetString(f.text(f.length(t.Min, t.Max), named))
	case schema.Bytes:
		n := f.length(t.Min, t.Max)
		if named == "Token" {
			n = max(n, 1) // Token.Validate refuses an empty token
		}
		if n > 0 {
			v.SetBytes([]byte(f.text(n, named)))
		}
	case schema.List, schema.Set:
		n := f.length(t.Min, t.Max)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.value(s.Index(i), t.Elem, "")
			if t.Terminated {
				f.leading(s.Index(i), t.Elem)
			}
		}
		v.Set(s)
	case schema.Map:
		n := f.length(t.Min, t.Max)
		m := reflect.MakeMap(v.Type())
		for range n {
			k := reflect.New(v.Type().Key()).Elem()
			f.value(k, t.Key, "")
			if named == "Env" && k.Len() == 0 {
				continue // Env.Validate refuses an empty name
			}
			e := reflect.New(v.Type().Elem()).Elem()
			f.value(e, t.Elem, "")
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case schema.Optional:
		if t.Empty {
			if f.rng.IntN(3) == 0 {
				v.SetZero()
				return
			}
			f.value(v, t.Elem, named)
			for v.Len() == 0 { // an empty value would be none
				f.value(v, t.Elem, named)
			}
			return
		}
		if u, ok := t.Elem.Decl.(*schema.Union); f.rng.IntN(3) == 0 || ok && len(u.Variants) == 0 {
			v.SetZero()
			return
		}
		if v.Kind() == reflect.Interface { // an optional union is the union itself
			f.value(v, t.Elem, "")
			return
		}
		x := reflect.New(v.Type().Elem())
		f.value(x.Elem(), t.Elem, "")
		v.Set(x)
	case schema.Ref:
		if n, ok := t.Decl.(*schema.Named); ok {
			f.value(v, n.Type, n.Name)
			return
		}
		f.decl(v, t.Decl)
	default:
		f.t.Fatalf("filler: unknown kind %v", t.Kind)
	}
}

// leading makes the leading string of v, an element of a terminated list
// of type t, non-empty (an empty one would end the list).
func (f *filler) leading(v reflect.Value, t *schema.Type) {
	if st, ok := t.Decl.(*schema.Struct); ok {
		v, t = v.FieldByName(st.Fields[0].Name), st.Fields[0].Type
	}
	for v.Len() == 0 {
		f.value(v, t, "")
	}
}

// encode returns the encoding of m at p on the byte path, checking that
// it matches WireSize and the stream path.
func encode(t testing.TB, m wire.Message, p wire.Proto) []byte {
	t.Helper()
	prefix := []byte("prefix")
	b, err := m.AppendWire(prefix, p)
	if err != nil {
		t.Fatalf("AppendWire at %v: %v", p, err)
	}
	b = b[len(prefix):]
	if n := m.WireSize(p); n != len(b) {
		t.Fatalf("WireSize at %v = %d, AppendWire wrote %d bytes", p, n, len(b))
	}
	// EncodeWire appends a struct that fits in the Writer's buffer straight
	// into it and writes a larger one value by value: try both, after
	// nothing and after an odd number of bytes already buffered.
	for _, size := range []int{64, wire.DefaultBufferSize} {
		for _, lead := range []int{0, 13} {
			var buf bytes.Buffer
			w := wire.NewWriterSize(&buf, size)
			_, _ = w.Write(make([]byte, lead))
			if err := m.EncodeWire(w, p); err != nil {
				t.Fatalf("EncodeWire at %v: %v", p, err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.Bytes()[lead:]; !bytes.Equal(got, b) {
				t.Fatalf("EncodeWire (buffer %d, after %d bytes) and AppendWire differ at %v:\n%x\n%x", size, lead, p, got, b)
			}
		}
	}
	return b
}

// chunkReader returns its data at most n bytes per Read.
type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.data)
	c.data = c.data[k:]
	return k, nil
}

// errClass names the sentinel that err matches.
func errClass(err error) string {
	if err == nil {
		return "nil"
	}
	for _, c := range []struct {
		name string
		err  error
	}{
		{"EOF", io.EOF}, {"UnexpectedEOF", io.ErrUnexpectedEOF}, {"TooLarge", wire.ErrTooLarge},
		{"TooSmall", wire.ErrTooSmall}, {"Range", wire.ErrRange}, {"Padding", wire.ErrPadding},
		{"Bool", wire.ErrBool}, {"Invalid", wire.ErrInvalid}, {"Version", wire.ErrVersion},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "other: " + err.Error()
}
