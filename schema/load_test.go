package schema

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

// field returns the field named name of the struct named st.
func field(t *testing.T, pkg *Package, st, name string) *Field {
	t.Helper()
	s, ok := pkg.Lookup(st).(*Struct)
	if !ok {
		t.Fatalf("no struct %s", st)
	}
	for _, f := range s.Fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no field %s.%s", st, name)
	return nil
}

func TestLoadEveryConstruct(t *testing.T) {
	dir := filepath.Join("testdata", "every")
	pkg, err := Load([]string{dir}, LoadConfig{Path: "example.com/every", resolver: mapResolver{}})
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{filepath.Join(dir, "a_common.schema"), filepath.Join(dir, "b_worker.schema"), filepath.Join(dir, "c_serve.schema")}
	if pkg.Name != "every" || pkg.Path != "example.com/every" || pkg.Dir != dir || !slices.Equal(pkg.Files, wantFiles) {
		t.Errorf("package: %q %q %q %q", pkg.Name, pkg.Path, pkg.Dir, pkg.Files)
	}
	if pkg.Limits != (Limits{String: 4096, Bytes: 8192, Count: 256}) {
		t.Errorf("limits: %+v", pkg.Limits)
	}

	// Features.
	if len(pkg.Features) != 2 || pkg.Features[0].Name != "Fast" || pkg.Features[0].Value != "fast" ||
		pkg.Features[0].Doc != "Fast is negotiated." || pkg.Features[0].Pkg != pkg {
		t.Errorf("features: %+v", pkg.Features)
	}
	fast, slow := pkg.Features[0], pkg.Features[1]

	// Declarations in order, with the synthesized structs after the
	// declarations that precede their op.
	var names []string
	for _, d := range pkg.Decls {
		names = append(names, d.DeclName())
		if d.DeclPkg() != pkg {
			t.Errorf("%s: package not set", d.DeclName())
		}
	}
	want := "StorePath Hash Paths Table MaybePath Mode Trust Prims AddToStore GC GCSome GCAll " +
		"QueryRequest QueryReply AddToStoreRequest? PingRequest PingReply"
	want = strings.Replace(want, " AddToStoreRequest?", "", 1) // Add reuses AddToStore
	if got := strings.Join(names, " "); got != want {
		t.Errorf("decls:\n got %s\nwant %s", got, want)
	}

	// Named types with their limits applied.
	sp := pkg.Lookup("StorePath").(*Named)
	if sp.Doc != "StorePath is a store path." || !sp.Validate || sp.Type.Kind != String || sp.Type.Max != 300 {
		t.Errorf("StorePath: %+v %+v", sp, sp.Type)
	}
	if h := pkg.Lookup("Hash").(*Named); h.Type.Kind != Bytes || h.Type.Max != 8192 || h.Validate {
		t.Errorf("Hash: %+v", h.Type)
	}
	if p := pkg.Lookup("Paths").(*Named); p.Type.Kind != Set || p.Type.Min != 1 || p.Type.Max != 10 || p.Type.Elem.Decl != sp {
		t.Errorf("Paths: %+v", p.Type)
	}
	if tb := pkg.Lookup("Table").(*Named); tb.Type.Kind != Map || tb.Type.Max != 256 || tb.Type.Key.Decl != sp ||
		tb.Type.Elem.Kind != List || tb.Type.Elem.Max != 256 || tb.Type.Elem.Elem.Kind != U8 {
		t.Errorf("Table: %+v", tb.Type)
	}
	if mp := pkg.Lookup("MaybePath").(*Named); mp.Type.Kind != Optional || !mp.Type.Empty || mp.Type.Elem.Decl != sp {
		t.Errorf("MaybePath: %+v", mp.Type)
	}

	// Enums.
	mode := pkg.Lookup("Mode").(*Enum)
	if mode.Open || len(mode.Values) != 3 || mode.Values[1].Doc != "Repair repairs." || mode.Values[2].Doc != "trailing" ||
		mode.Values[2].Value != 2 || mode.Values[2].Gate.Since != wire.V(1, 30) {
		t.Errorf("Mode: %+v", mode)
	}
	if trust := pkg.Lookup("Trust").(*Enum); !trust.Open || len(trust.Values) != 3 {
		t.Errorf("Trust: %+v", trust)
	}

	// A struct with every primitive, literals, gates and collections.
	prims := pkg.Lookup("Prims").(*Struct)
	kinds := []Kind{U8, U16, U32, U64, I64, Bool, String, Bytes, Ref, Ref, Ref, Optional, Optional, List, Ref}
	for i, f := range prims.Fields {
		if f.Type.Kind != kinds[i] {
			t.Errorf("Prims.%s kind %v, want %v", f.Name, f.Type.Kind, kinds[i])
		}
	}
	if f := field(t, pkg, "Prims", "A"); f.Default.Kind != IntLit || f.Default.Int != 255 {
		t.Errorf("A: %+v", f.Default)
	}
	if f := field(t, pkg, "Prims", "D"); f.Const.Int != 0x6e697863 || f.Default != nil {
		t.Errorf("D: %+v", f.Const)
	}
	if f := field(t, pkg, "Prims", "F"); f.Const.Kind != BoolLit || !f.Const.Bool {
		t.Errorf("F: %+v", f.Const)
	}
	if f := field(t, pkg, "Prims", "G"); f.Type.Min != 1 || f.Type.Max != 5 || f.Default.Str != "abc" {
		t.Errorf("G: %+v %+v", f.Type, f.Default)
	}
	if f := field(t, pkg, "Prims", "H"); f.Type.Max != 8192 {
		t.Errorf("H: %+v", f.Type)
	}
	if f := field(t, pkg, "Prims", "I"); f.Type.Decl != sp || f.Type.Max != 0 || f.Default.Str != "/nix/store/x" {
		t.Errorf("I: %+v", f.Type)
	}
	j := field(t, pkg, "Prims", "J")
	if j.Type.Decl != mode || j.Gate.Since != wire.V(1, 2) || !j.Required || j.Default.Kind != IdentLit || j.Default.Value != mode.Values[1] {
		t.Errorf("J: %+v %+v", j, j.Default)
	}
	if k := field(t, pkg, "Prims", "K"); len(k.Gate.Unless) != 1 || k.Gate.Unless[0] != slow || len(k.Gate.If) != 0 {
		t.Errorf("K: %+v", k.Gate)
	}
	if l := field(t, pkg, "Prims", "L"); l.Type.Empty || l.Type.Elem.Decl != prims {
		t.Errorf("L: %+v", l.Type)
	}
	if m := field(t, pkg, "Prims", "M"); !m.Type.Empty || m.Type.Elem.Decl != sp || m.Default.Str != "x" {
		t.Errorf("M: %+v", m.Type)
	}
	n := field(t, pkg, "Prims", "N").Type
	if n.Max != 7 || n.Elem.Kind != Set || n.Elem.Max != 256 || n.Elem.Elem.Kind != Map || n.Elem.Elem.Max != 256 ||
		n.Elem.Elem.Key.Decl != mode || n.Elem.Elem.Elem.Decl != pkg.Lookup("Hash") {
		t.Errorf("N: %s", typeDump(pkg, n))
	}
	if o := field(t, pkg, "Prims", "O"); len(o.Gate.If) != 1 || o.Gate.If[0] != fast || o.Gate.Pos.Line != 49 {
		t.Errorf("O: %+v", o.Gate)
	}

	// Layouts: merged fields keep their own gates; layouts point into Fields.
	add := pkg.Lookup("AddToStore").(*Struct)
	var fnames []string
	for _, f := range add.Fields {
		fnames = append(fnames, f.Name)
	}
	if got := strings.Join(fnames, " "); got != "Name Recursive Method Repair" {
		t.Errorf("AddToStore fields: %s", got)
	}
	if len(add.Layouts) != 3 {
		t.Fatalf("AddToStore layouts: %d", len(add.Layouts))
	}
	l0, l1, l2 := add.Layouts[0], add.Layouts[1], add.Layouts[2]
	if l0.Gate.Until != wire.V(1, 25) || l1.Gate.Since != wire.V(1, 25) || l1.Gate.Unless[0] != fast || l2.Gate.If[0] != fast {
		t.Errorf("layout gates: %+v %+v %+v", l0.Gate, l1.Gate, l2.Gate)
	}
	if l0.Fields[0] != add.Fields[0] || l1.Fields[0] != add.Fields[0] || l2.Fields[0] != add.Fields[0] ||
		l1.Fields[1] != add.Fields[2] || len(l2.Fields) != 1 {
		t.Errorf("layout fields do not point into Fields")
	}
	if r := add.Fields[3]; r.Gate.Since != wire.V(1, 27) || r.Gate.Until != 0 || len(r.Gate.Unless) != 0 || !r.Required ||
		r.Default.Kind != BoolLit || r.Default.Bool || r.Type.Kind != Bool {
		t.Errorf("Repair keeps its own gate only: %+v", r)
	}
	if f := add.Fields[2]; f.Type.Max != 64 {
		t.Errorf("Method: %+v", f.Type)
	}

	// Unions.
	gc := pkg.Lookup("GC").(*Union)
	some, all := pkg.Lookup("GCSome").(*Struct), pkg.Lookup("GCAll").(*Struct)
	if len(gc.Variants) != 2 || gc.Variants[0].Struct != some || gc.Variants[1].Struct != all || gc.Variants[1].Tag != 1 ||
		gc.Variants[1].Doc != "GCAll is all." || gc.Variants[1].Gate.Since != wire.V(1, 3) || some.Union != gc || all.Union != gc ||
		prims.Union != nil {
		t.Errorf("union: %+v", gc)
	}

	// Ops, their protocols, synthesized structs and streams.
	if len(pkg.Ops) != 3 {
		t.Fatalf("ops: %d", len(pkg.Ops))
	}
	q, a, p := pkg.Ops[0], pkg.Ops[1], pkg.Ops[2]
	qreq, qrep := pkg.Lookup("QueryRequest").(*Struct), pkg.Lookup("QueryReply").(*Struct)
	if q.Name != "Query" || q.Code != 26 || q.Protocol != "Worker" || q.Doc != "Query asks." || q.Deprecated != "gone" ||
		q.Gate.Since != wire.V(1, 6) || q.Gate.Until != wire.V(2, 0) || q.Gate.If[0] != fast || q.Gate.Unless[0] != slow {
		t.Errorf("Query: %+v", q)
	}
	if q.Request.Decl != qreq || qreq.Op != q || qreq.Fields[0].Type.Decl != sp || q.Reply.Decl != qrep || qrep.Op != q ||
		qrep.Fields[0].Type.Elem.Decl != prims {
		t.Errorf("Query request/reply: %+v %+v", qreq, qrep)
	}
	if len(q.Streams) != 2 || q.Streams[0].Dir != AfterRequest || q.Streams[0].Kind != Framed || q.Streams[0].Gate.Since != wire.V(1, 21) ||
		q.Streams[1].Dir != AfterReply || q.Streams[1].Kind != Raw {
		t.Errorf("Query streams: %+v %+v", q.Streams[0], q.Streams[1])
	}
	if a.Request.Decl != add || add.Op != nil || a.Reply != nil || a.Streams[0].Kind != Pull || a.Streams[1].Kind != Push ||
		a.Streams[1].Gate.If[0] != fast {
		t.Errorf("Add: %+v", a)
	}
	preq := pkg.Lookup("PingRequest").(*Struct)
	if p.Protocol != "Serve" || p.Request.Decl != preq || preq.Op != p || len(preq.Fields) != 0 || preq.Pos != p.Pos ||
		p.Reply.Decl.(*Struct).Fields[0].Type.Kind != Bool {
		t.Errorf("Ping: %+v", p)
	}
}

// TestLimitsApplied checks that every string, bytes, list, set and map
// type of a checked package has Max set.
func TestLimitsApplied(t *testing.T) {
	pkg, err := Load([]string{filepath.Join("testdata", "every")}, LoadConfig{Path: "x", resolver: mapResolver{}})
	if err != nil {
		t.Fatal(err)
	}
	c := &checker{pkg: pkg}
	var files []*File
	for _, d := range pkg.Decls {
		files = append(files, &File{Decls: []Decl{d}})
	}
	for _, op := range pkg.Ops {
		files = append(files, &File{Ops: []*Op{op}})
	}
	c.files = files
	n := 0
	c.forEachType(func(t2 *Type, _ *File) {
		switch t2.Kind {
		case String, Bytes, List, Set, Map:
			n++
			if t2.Max == 0 {
				t.Errorf("%s at %s has no max", typeString(t2), t2.Pos)
			}
		}
	})
	if n < 10 {
		t.Errorf("only %d limited types seen", n)
	}
}

func TestLoadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b := write("b.schema", "struct B { X A }\n")
	a := write("a.schema", "struct A {}\n")
	write("notes.txt", "not a schema")
	if err := os.Mkdir(filepath.Join(dir, "sub.schema"), 0o777); err != nil { // a directory named like a file is skipped
		t.Fatal(err)
	}
	cfg := LoadConfig{Path: "x", resolver: mapResolver{}}

	t.Run("directory", func(t *testing.T) {
		pkg, err := Load([]string{dir}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pkg.Files, []string{a, b}) || pkg.Dir != dir || pkg.Name != packageName(dir) {
			t.Errorf("files %q dir %q name %q", pkg.Files, pkg.Dir, pkg.Name)
		}
	})
	t.Run("files sorted and deduplicated", func(t *testing.T) {
		pkg, err := Load([]string{b, a, b, filepath.Join(dir, ".", "a.schema")}, LoadConfig{Name: "over", Path: "x", resolver: mapResolver{}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pkg.Files, []string{a, b}) || pkg.Name != "over" || pkg.Decls[0].DeclName() != "A" {
			t.Errorf("files %q name %q", pkg.Files, pkg.Name)
		}
	})
	t.Run("overlay replaces and adds files", func(t *testing.T) {
		overlay := map[string][]byte{b: []byte("struct B { X C }\n"), filepath.Join(dir, "c.schema"): []byte("struct C {}\n")}
		pkg, err := Load([]string{dir}, LoadConfig{Path: "x", Overlay: overlay, resolver: mapResolver{}})
		if err != nil {
			t.Fatal(err)
		}
		if len(pkg.Files) != 3 || pkg.Lookup("B").(*Struct).Fields[0].Type.Name != "C" {
			t.Errorf("files %q", pkg.Files)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		missing := filepath.Join(dir, "nope.schema")
		_, err := Load([]string{missing, a}, cfg)
		if err == nil || err.Error() != missing+": cannot read: no such file or directory" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("no files", func(t *testing.T) {
		empty := t.TempDir()
		_, err := Load([]string{empty}, cfg)
		if err == nil || err.Error() != empty+": no .schema files in directory "+empty {
			t.Errorf("got %v", err)
		}
		_, err = Load(nil, cfg)
		if err == nil || err.Error() != ".: no schema files given" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("files in two directories", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "o.schema")
		if err := os.WriteFile(other, []byte("struct O {}\n"), 0o666); err != nil {
			t.Fatal(err)
		}
		_, err := Load([]string{a, other}, cfg)
		if err == nil || !strings.Contains(err.Error(), "must be in one directory") {
			t.Errorf("got %v", err)
		}
	})
}

// TestErrorsAllAtOnce checks that Load reports the problems of several
// files, of the parser and of the checker, in one sorted ErrorList.
func TestErrorsAllAtOnce(t *testing.T) {
	overlay := map[string][]byte{
		"z.schema": []byte("struct Z { A u46 }\nstruct Z {}\n"),
		"a.schema": []byte("struct A {\n\tX u64 since\n\tY Nope\n}\nenum E { V = 1; W = 1 }\n"),
		"m.schema": []byte("junk\nop O = 1 { request E }\n"),
	}
	_, err := Load([]string{"z.schema", "m.schema", "a.schema"}, LoadConfig{Path: "x", Overlay: overlay, resolver: mapResolver{}})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %T %v, want ErrorList", err, err)
	}
	want := []string{
		"a.schema:2:13: expected a version major.minor after since, found end of line",
		`a.schema:3:4: unknown type "Nope"`,
		`a.schema:5:17: duplicate enum number 1: "V" has it too (a.schema:5:10)`,
		`m.schema:1:1: expected a declaration (protocol, import, limits, feature, type, enum, struct, union or op), found "junk"`,
		`m.schema:2:20: the request of op "O" must be a struct; "E" is an enum`,
		`z.schema:1:14: unknown type "u46"; did you mean "u64"?`,
		`z.schema:2:8: duplicate name "Z": the struct here and the struct at z.schema:1:8`,
	}
	if got := strings.Split(list.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPackageName(t *testing.T) {
	for dir, want := range map[string]string{
		"/a/messages": "messages", "/a/nix-proto": "nix_proto", "/a/v1.2": "v1_2", "/a/1x": "p1x",
		"/a/type": "type_", "/a/---": "schema", "/a/Mixed_Case9": "Mixed_Case9",
	} {
		if got := packageName(dir); got != want {
			t.Errorf("packageName(%q) = %q, want %q", dir, got, want)
		}
	}
}

func TestValidImportPath(t *testing.T) {
	for path, want := range map[string]bool{
		"github.com/nixwire/nixwire/messages": true, "example.com/a-b/c_d/v2": true, "fmt": true,
		"": false, "all": false, "std": false, "./x": false, "../x": false, "/abs": false, "a//b": false,
		"a/...": false, "a/.hidden": false, "a b": false, "-x": false, `a\b`: false, "a/": false,
	} {
		if got := validImportPath(path); got != want {
			t.Errorf("validImportPath(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestReadmeExample keeps the worked example of README.md valid.
func TestReadmeExample(t *testing.T) {
	example := readmeBlock(t, "## A worked example")
	overlay := map[string][]byte{"example.schema": []byte(example)}
	pkg, err := Load([]string{"example.schema"}, LoadConfig{Path: "x", Overlay: overlay, resolver: mapResolver{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Ops) != 1 || pkg.Lookup("QueryPathInfoReply") == nil {
		t.Errorf("unexpected package: %d ops", len(pkg.Ops))
	}
}
