package gen

import (
	"bytes"
	"errors"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dave/jennifer/jen"
	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

// loadSrc loads one schema file from memory as package "p".
func loadSrc(t testing.TB, src string) *schema.Package {
	t.Helper()
	pkg, err := schema.Load([]string{"t.schema"}, schema.LoadConfig{Dir: ".", Name: "p", Path: "example.test/p",
		Overlay: map[string][]byte{"t.schema": []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

const irSchema = `
feature F = "f"
type Path string(min 1, max 100) validate
type Paths set<Path>(max 10)
enum E { A = 0; B = 1 since 1.5 }
struct S {
	N     u16
	I     i64
	P     Path
	O     optional<Path, empty>
	T     optional<S>
	L     Paths
	M     map<string, list<u64>>
	G     bool since 1.2 if F default true
	Magic u64 const 7
	X     U
}
struct V {
	layout until 1.10 {
		A u64
		B string
	}
	layout since 1.10 {
		B string
		C u64 unless F
	}
}
struct Z {}
union U {
	0 Z
	1 V since 1.3
}
`

// TestIR checks the intermediate representation of a schema: kinds,
// limits, element order, gates, layouts and variants.
func TestIR(t *testing.T) {
	ir, err := buildIR(loadSrc(t, irSchema))
	if err != nil {
		t.Fatal(err)
	}
	var s, v, z *structIR
	for d, x := range ir.structs {
		switch d.Name {
		case "S":
			s = x
		case "V":
			v = x
		case "Z":
			z = x
		}
	}

	type elem struct {
		Name  string
		Kind  string
		Gate  string
		Const bool
	}
	var got []elem
	for _, e := range s.elems {
		got = append(got, elem{e.name, e.t.kind.String(), gateSpell(e.gate), e.konst != nil})
	}
	want := []elem{
		{"N", "uint", "", false}, {"I", "int", "", false}, {"P", "string", "", false},
		{"O", "optional-empty", "", false}, {"T", "optional", "", false}, {"L", "list", "", false},
		{"M", "map", "", false}, {"G", "bool", "since 1.2 if F", false}, {"Magic", "uint", "", true},
		{"X", "union", "", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("elements of S: (-want +got)\n%s", diff)
	}
	if len(s.fields) != 9 {
		t.Errorf("S has %d Go fields, want 9 (the const has none)", len(s.fields))
	}

	byName := map[string]*elemIR{}
	for _, e := range s.elems {
		byName[e.name] = e
	}
	if n := byName["N"].t; n.max != math.MaxUint16 || n.goBuiltin() != "uint16" || n.isNative() {
		t.Errorf("N: max %d, Go %q, native %v", n.max, n.goBuiltin(), n.isNative())
	}
	if i := byName["I"].t; i.max != math.MaxInt64 || i.goBuiltin() != "int64" {
		t.Errorf("I: max %d, Go %q", i.max, i.goBuiltin())
	}
	p := byName["P"].t
	if p.ref == nil || p.ref.name != "Path" || !p.validate || p.min != 1 || p.max != 100 || p.isNative() {
		t.Errorf("P: %+v", p)
	}
	if o := byName["O"].t; o.elem != p || o.validate {
		t.Errorf("O: the element should be Path itself, and optional<T, empty> validates through it")
	}
	if tt := byName["T"].t; tt.elem != s.t {
		t.Errorf("T: element %v, want S itself", tt.elem)
	}
	l := byName["L"].t
	if l.ref == nil || l.ref.name != "Paths" || !l.set || l.max != 10 || l.elem != p {
		t.Errorf("L: %+v", l)
	}
	m := byName["M"].t
	if m.key.kind != kString || m.elem.kind != kList || m.max != schema.DefaultLimits.Count {
		t.Errorf("M: %+v", m)
	}
	if m.key.max != schema.DefaultLimits.String {
		t.Errorf("M's key: max %d, want the default string limit", m.key.max)
	}

	// Minimum sizes bound list counts: S's ungated elements are N, I, P
	// (8+8 rounded up), O, T, L, M, Magic and X.
	if got, want := s.t.minSize(), 8+8+16+8+8+8+8+8+8; got != want {
		t.Errorf("S.minSize() = %d, want %d", got, want)
	}
	if z.t.minSize() != 0 || v.t.minSize() != 0 {
		t.Errorf("minSize: Z %d, V %d, want 0 (empty; layouts)", z.t.minSize(), v.t.minSize())
	}

	// Layouts: wire order, the fields absent from each, residual gates.
	if len(v.layouts) != 2 || v.elems != nil {
		t.Fatalf("V: %d layouts", len(v.layouts))
	}
	names := func(es []*elemIR) (out []string) {
		for _, e := range es {
			out = append(out, e.name+"|"+gateSpell(e.gate))
		}
		return out
	}
	absent := func(fs []*fieldIR) (out []string) {
		for _, f := range fs {
			out = append(out, f.f.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"A|", "B|"}, names(v.layouts[0].elems)); diff != "" {
		t.Errorf("first layout: %s", diff)
	}
	if diff := cmp.Diff([]string{"B|", "C|unless F"}, names(v.layouts[1].elems)); diff != "" {
		t.Errorf("second layout: %s", diff)
	}
	if diff := cmp.Diff([]string{"C"}, absent(v.layouts[0].absent)); diff != "" {
		t.Errorf("absent from the first layout: %s", diff)
	}
	if diff := cmp.Diff([]string{"A"}, absent(v.layouts[1].absent)); diff != "" {
		t.Errorf("absent from the second layout: %s", diff)
	}

	// Unions know their variants and the variants their union.
	u := byName["X"].t.union
	if len(u.variants) != 2 || u.variants[0].s != z || u.variants[1].s != v || z.union != u || v.union != u {
		t.Errorf("union U: %+v", u.variants)
	}
	var e *enumIR
	for _, x := range ir.enums {
		e = x
	}
	if len(e.gated) != 1 || e.gated[0].Name != "B" {
		t.Errorf("enum E: gated values %v", e.gated)
	}
}

// TestGateCond checks the conditions emitted for gates.
func TestGateCond(t *testing.T) {
	f := &schema.Feature{Name: "F", Value: "f"}
	g := &fileGen{pkg: &schema.Package{}}
	tests := []struct {
		gate schema.Gate
		want string
	}{
		{schema.Gate{}, ""},
		{schema.Gate{Since: wire.V(1, 16)}, "p.Version >= 0x110"},
		{schema.Gate{Until: wire.V(1, 25)}, "p.Version < 0x119"},
		{schema.Gate{Since: wire.V(1, 2), Until: wire.V(2, 0), If: []*schema.Feature{f}}, "p.Version >= 0x102 && p.Version < 0x200 && p.Has(FeatureF)"},
		{schema.Gate{Unless: []*schema.Feature{f}}, "!p.Has(FeatureF)"},
	}
	for _, tt := range tests {
		got := ""
		if c := g.gateCond(tt.gate); c != nil {
			got = c.GoString()
		}
		if got != tt.want {
			t.Errorf("gateCond(%s) = %q, want %q", gateSpell(tt.gate), got, tt.want)
		}
	}
}

// TestGateNot checks the conditions emitted for gates that do not hold.
func TestGateNot(t *testing.T) {
	f := &schema.Feature{Name: "F", Value: "f"}
	g := &fileGen{pkg: &schema.Package{}}
	tests := []struct {
		gate schema.Gate
		want string
	}{
		{schema.Gate{}, ""},
		{schema.Gate{Since: wire.V(1, 16)}, "p.Version < 0x110"},
		{schema.Gate{Until: wire.V(1, 25)}, "p.Version >= 0x119"},
		{schema.Gate{Since: wire.V(1, 2), Until: wire.V(2, 0), If: []*schema.Feature{f}}, "p.Version < 0x102 || p.Version >= 0x200 || !p.Has(FeatureF)"},
		{schema.Gate{Unless: []*schema.Feature{f}}, "p.Has(FeatureF)"},
	}
	for _, tt := range tests {
		got := ""
		if c := g.gateNot(tt.gate); c != nil {
			got = c.GoString()
		}
		if got != tt.want {
			t.Errorf("gateNot(%s) = %q, want %q", gateSpell(tt.gate), got, tt.want)
		}
	}
}

var generatedHeader = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

// TestGenerateOutput checks the file names, the header, the runtime
// assertions and that the output does not depend on anything but its input.
func TestGenerateOutput(t *testing.T) {
	pkg := loadSrc(t, irSchema)
	out, err := Generate(pkg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	src, ok := out["t_gen.go"]
	if len(out) != 1 || !ok {
		t.Fatalf("files %v, want t_gen.go", out)
	}
	first, _, _ := strings.Cut(string(src), "\n")
	if !generatedHeader.MatchString(first) || first != "// Code generated by nixwire-gen from t.schema. DO NOT EDIT." {
		t.Errorf("header %q", first)
	}
	for _, want := range []string{
		"const _ = wire.GenVersion1",
		"_ wire.Message = (*S)(nil)",
		"_ wire.Message = (*Paths)(nil)",
		"func (m *S) ConsumeWire(b []byte, p wire.Proto) ([]byte, error) {",
		"func ConsumeU(b []byte, p wire.Proto) (U, []byte, error) {",
		"func (*V) isU() {}",
		"if p.Version >= 0x102 && p.Has(FeatureF) {",
	} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("the output lacks %q", want)
		}
	}
	// Every exported declaration has a doc comment.
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		if (strings.HasPrefix(l, "func ") || strings.HasPrefix(l, "type ")) && i > 0 && !strings.HasPrefix(lines[i-1], "//") {
			t.Errorf("line %d has no doc comment: %s", i+1, l)
		}
	}

	again, err := Generate(loadSrc(t, irSchema), Config{SchemaPaths: map[string]string{"t.schema": "dir/t.schema"}})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(src), "from t.schema.", "from dir/t.schema.", 1)
	if diff := cmp.Diff(want, string(again["t_gen.go"])); diff != "" {
		t.Errorf("the output differs from one run to the next: %s", diff)
	}
}

// TestGenerateNameClash checks the Go name collisions that a hand-built
// model can have (the schema checker reports them for parsed schemas).
func TestGenerateNameClash(t *testing.T) {
	pkg := &schema.Package{Name: "p", Files: []string{"a.schema"}}
	u := &schema.Union{DeclInfo: schema.DeclInfo{Name: "U", Pkg: pkg, Pos: schema.Pos{File: "a.schema", Line: 1, Col: 1}}}
	s := &schema.Struct{DeclInfo: schema.DeclInfo{Name: "SizeU", Pkg: pkg, Pos: schema.Pos{File: "a.schema", Line: 3, Col: 1}}}
	pkg.Decls = []schema.Decl{u, s}
	_, err := Generate(pkg, Config{})
	if err == nil || !strings.Contains(err.Error(), "a.schema:3:1: SizeU: the Go name SizeU is already declared at a.schema:1:1") {
		t.Errorf("Generate = %v", err)
	}
}

// TestRenderError checks that code that does not format is reported with
// its numbered lines, and can be had whole.
func TestRenderError(t *testing.T) {
	f := jen.NewFile("p")
	f.Func().Id("F").Params().Block(jen.Id("x").Op(":=").Id("1").Op("+"))
	_, err := render("p_gen.go", f)
	var re *RenderError
	if !errors.As(err, &re) {
		t.Fatalf("render = %v, want a *RenderError", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "gen: generated p_gen.go does not format: ") || !strings.Contains(msg, "    5\tx := 1 +\n") {
		t.Errorf("message:\n%s", msg)
	}
	name, src := re.BrokenFile()
	if name != "p_gen.go" || !bytes.Contains(src, []byte("x := 1 +")) {
		t.Errorf("BrokenFile() = %q, %q", name, src)
	}
}

// TestGenerateSpeed generates the whole Nix protocol (package messages),
// the largest schema of the module, and checks the 2 s target.
func TestGenerateSpeed(t *testing.T) {
	files, _ := filepath.Glob("../messages/*.schema")
	if len(files) == 0 {
		t.Skip("no messages schema")
	}
	pkg, err := schema.Load(files, schema.LoadConfig{Dir: "../messages", Name: "messages", Path: "github.com/nixwire/nixwire/messages"})
	if err != nil {
		t.Skipf("the messages schema does not load: %v", err)
	}
	start := time.Now()
	out, err := Generate(pkg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	size := 0
	for _, src := range out {
		size += len(src)
	}
	t.Logf("generated %d files, %d bytes, in %v", len(out), size, elapsed)
	if elapsed > 2*time.Second && !raceEnabled {
		t.Errorf("generating package messages took %v, want < 2s", elapsed)
	}
}

// BenchmarkGenerate generates the whole Nix protocol (package messages).
func BenchmarkGenerate(b *testing.B) {
	files, _ := filepath.Glob("../messages/*.schema")
	pkg, err := schema.Load(files, schema.LoadConfig{Dir: "../messages", Name: "messages", Path: "github.com/nixwire/nixwire/messages"})
	if err != nil {
		b.Skip(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(pkg, Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGenerateHandBuilt generates a model built by hand, without files or
// positions: the output is one file named after the package.
func TestGenerateHandBuilt(t *testing.T) {
	pkg := &schema.Package{Name: "p"}
	s := &schema.Struct{DeclInfo: schema.DeclInfo{Name: "S", Pkg: pkg}}
	s.Fields = []*schema.Field{{Name: "N", Type: &schema.Type{Kind: schema.U64}}}
	pkg.Decls = []schema.Decl{s}
	pkg.Ops = []*schema.Op{{Name: "Get", Code: 1, Request: &schema.Type{Kind: schema.Ref, Name: "S", Decl: s}}}
	out, err := Generate(pkg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	src := string(out["p_gen.go"])
	for _, want := range []string{"from p.schema. DO NOT EDIT.", "type S struct {", "OpGet OpCode = 1", "var Ops = wire.OpTable{"} {
		if !strings.Contains(src, want) {
			t.Errorf("the output lacks %q:\n%s", want, src)
		}
	}
}
