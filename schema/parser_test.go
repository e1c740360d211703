package schema

import (
	"strings"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

func TestParseFileStructure(t *testing.T) {
	src := `protocol Worker
import nix "example.com/nix"
import "example.com/other"
limits { string 10; count 20 }

// F is a feature.
feature F = "f" // trailing

// T is a type.
type T string(min 1, max 9) validate
enum E open { A = 1; B = 0x2 since 1.2 }
struct S {
	// X is documented.
	X list<map<u8, optional<T, empty>>>(max 3) since 1.2 until 1.9 if F unless nix.G default 7 required // more
	Y E const A
}
struct L {
	layout until 1.25 { A u64 }
	layout since 1.25 { A u64; B bool default true }
}
union U { 0 S; 1 nix.V since 1.3 }
// O is an op.
op O = 26 since 1.6 deprecated "old" {
	reply { R string }
	stream request framed
	stream reply push since 1.2
}
op P = 1 { request S }
`
	f, err := ParseFile("p.schema", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "p.schema" || f.Protocol != "Worker" || f.ProtocolPos != (Pos{"p.schema", 1, 10}) {
		t.Errorf("protocol: %q %q %v", f.Name, f.Protocol, f.ProtocolPos)
	}
	if len(f.Imports) != 2 || f.Imports[0].Name != "nix" || f.Imports[0].Path != "example.com/nix" ||
		f.Imports[1].Name != "" || f.Imports[1].Pos != (Pos{"p.schema", 3, 8}) {
		t.Errorf("imports: %+v %+v", f.Imports[0], f.Imports[1])
	}
	if f.Limits == nil || *f.Limits != (Limits{String: 10, Count: 20}) {
		t.Errorf("limits: %+v", f.Limits)
	}
	if len(f.Features) != 1 || f.Features[0].Doc != "F is a feature.\ntrailing" || f.Features[0].Value != "f" {
		t.Errorf("features: %+v", f.Features)
	}
	var names []string
	for _, d := range f.Decls {
		names = append(names, d.DeclName())
	}
	if got, want := strings.Join(names, " "), "T E S L U ORequest OReply"; got != want {
		t.Errorf("decls: %s, want %s", got, want)
	}
	n := f.Decls[0].(*Named)
	if n.Doc != "T is a type." || !n.Validate || n.Type.Kind != String || n.Type.Min != 1 || n.Type.Max != 9 {
		t.Errorf("named: %+v %+v", n, n.Type)
	}
	e := f.Decls[1].(*Enum)
	if !e.Open || len(e.Values) != 2 || e.Values[1].Value != 2 || e.Values[1].Gate.Since != wire.V(1, 2) {
		t.Errorf("enum: %+v", e)
	}
	s := f.Decls[2].(*Struct)
	x := s.Fields[0]
	if x.Doc != "X is documented.\nmore" || typeString(x.Type) != "list<map<u8, optional<T, empty>>>" || x.Type.Max != 3 ||
		x.Type.Elem.Key.Kind != U8 || !x.Type.Elem.Elem.Empty || x.Type.Elem.Elem.Elem.Name != "T" {
		t.Errorf("field X: %+v", x)
	}
	g := x.Gate
	if g.Since != wire.V(1, 2) || g.Until != wire.V(1, 9) || len(g.If) != 1 || g.If[0].Name != "F" ||
		len(g.Unless) != 1 || g.Unless[0].Name != "nix.G" || g.Pos != (Pos{"p.schema", 14, 45}) {
		t.Errorf("gate: %+v", g)
	}
	if x.Default == nil || x.Default.Kind != IntLit || x.Default.Int != 7 || !x.Required {
		t.Errorf("default/required: %+v %v", x.Default, x.Required)
	}
	if y := s.Fields[1]; y.Const == nil || y.Const.Kind != IdentLit || y.Const.Ident != "A" {
		t.Errorf("const: %+v", y.Const)
	}
	l := f.Decls[3].(*Struct)
	if l.Fields != nil || len(l.Layouts) != 2 || l.Layouts[0].Gate.Until != wire.V(1, 25) || len(l.Layouts[1].Fields) != 2 ||
		l.Layouts[1].Fields[1].Default.Kind != BoolLit || !l.Layouts[1].Fields[1].Default.Bool {
		t.Errorf("layouts: %+v", l)
	}
	u := f.Decls[4].(*Union)
	if len(u.Variants) != 2 || u.Variants[1].Tag != 1 || u.Variants[1].Type.Qual != "nix" || u.Variants[1].Gate.Since != wire.V(1, 3) {
		t.Errorf("union: %+v", u)
	}
	if len(f.Ops) != 2 {
		t.Fatalf("ops: %d", len(f.Ops))
	}
	o := f.Ops[0]
	if o.Doc != "O is an op." || o.Code != 26 || o.Deprecated != "old" || o.Protocol != "Worker" || o.Gate.Since != wire.V(1, 6) {
		t.Errorf("op: %+v", o)
	}
	req, rep := f.Decls[5].(*Struct), f.Decls[6].(*Struct)
	if o.Request.Decl != req || req.Op != o || len(req.Fields) != 0 || req.Pos != o.Pos ||
		o.Reply.Decl != rep || rep.Op != o || rep.Fields[0].Name != "R" {
		t.Errorf("synthesized: %+v %+v", req, rep)
	}
	if len(o.Streams) != 2 || o.Streams[0].Dir != AfterRequest || o.Streams[0].Kind != Framed ||
		o.Streams[1].Dir != AfterReply || o.Streams[1].Kind != Push || o.Streams[1].Gate.Since != wire.V(1, 2) {
		t.Errorf("streams: %+v %+v", o.Streams[0], o.Streams[1])
	}
	if p := f.Ops[1]; p.Request.Name != "S" || p.Request.Decl != nil || p.Reply != nil {
		t.Errorf("op P: %+v", p)
	}
}

// TestParseClauses checks terminated lists and the when and at clauses as
// parsed, before the checker resolves them.
func TestParseClauses(t *testing.T) {
	src := `struct S {
	A list<E, terminated>(max 9)
	B set<
		string, terminated>
	C u32
	D string when C != 0x10 at 1.16 since 1.2
	E u64 at 1.6 when Mode == Check required
	F bool when G == true; G list<list<string, terminated>>
}
`
	f, err := ParseFile("c.schema", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fs := f.Decls[0].(*Struct).Fields
	if a := fs[0].Type; a.Kind != List || !a.Terminated || a.Max != 9 || a.Elem.Name != "E" || typeString(a) != "list<E, terminated>" {
		t.Errorf("A: %+v %s", a, typeString(a))
	}
	if b := fs[1].Type; b.Kind != Set || !b.Terminated || b.Elem.Kind != String || typeString(b) != "set<string, terminated>" {
		t.Errorf("B: %+v", b)
	}
	d := fs[3]
	if w := d.When; w == nil || w.Name != "C" || w.Equal || w.Value.Kind != IntLit || w.Value.Int != 16 ||
		w.Pos != (Pos{"c.schema", 6, 11}) || w.Field != nil {
		t.Errorf("D.When: %+v", d.When)
	}
	if d.At == nil || *d.At != wire.V(1, 16) || d.Gate.Since != wire.V(1, 2) {
		t.Errorf("D: at %v, gate %+v", d.At, d.Gate)
	}
	e := fs[4]
	if w := e.When; w == nil || w.Name != "Mode" || !w.Equal || w.Value.Kind != IdentLit || w.Value.Ident != "Check" ||
		e.At == nil || *e.At != wire.V(1, 6) || !e.Required {
		t.Errorf("E: %+v %+v", e, e.When)
	}
	if w := fs[5].When; w == nil || !w.Equal || w.Value.Kind != BoolLit || !w.Value.Bool {
		t.Errorf("F.When: %+v", w)
	}
	if g := fs[6].Type; g.Terminated || !g.Elem.Terminated || typeString(g) != "list<list<string, terminated>>" {
		t.Errorf("G: %s", typeString(g))
	}
}

// TestParseErrors checks syntax errors and that the parser recovers at the
// next line or declaration, reporting every error.
func TestParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"not a declaration", "foo\nstruct A {}\nbar baz", `
1:1: expected a declaration (protocol, import, limits, feature, type, enum, struct, union or op), found "foo"
3:1: expected a declaration (protocol, import, limits, feature, type, enum, struct, union or op), found "bar"`},
		{"recovery inside a struct", "struct A {\n\tX\n\tY u64 sinse 1.2\n\tZ list<u64\n\tW u64\n}\nstruct B { V }", `
2:3: expected a type, found end of line
3:8: expected since, until, if, unless, when, at, default, const, required or end of line, found "sinse"
4:12: expected ">" to close list<…>, found end of line
7:14: expected a type, found "}"`},
		{"missing closing brace", "struct A {\n\tX u64\nstruct B {\n\tY u64\n}", `
1:10: unclosed { of struct A`},
		{"missing brace at EOF", "enum E {\n\tA = 1\n", `
1:8: unclosed { of enum E`},
		{"declaration gates", "type T u64 since 1.2\nstruct S until 1.3 {}\nenum E if F {}\nunion U unless F {}\nfeature F = \"f\" since 1.0\nimport \"x\" if F\nop O = 1 { request S since 1.2 }", `
1:12: a type declaration cannot be gated; gate the fields that use it
2:10: a struct declaration cannot be gated; gate the fields that use it
3:8: an enum declaration cannot be gated; gate the fields that use it
4:9: a union declaration cannot be gated; gate the fields that use it
5:17: a feature cannot be gated
6:12: an import cannot be gated
7:22: a request cannot be gated; gate the op, or the fields of the request`},
		{"limits on the wrong types", "struct S {\n\tA u64(max 1)\n\tB bool(min 1)\n\tC optional<string>(max 1)\n\tD T(max 2)\n\tE nix.T(max 2)\n\tF string(max 1)\n}", `
2:7: limit on u64: only string, bytes, list, set and map take limits
3:8: limit on bool: only string, bytes, list, set and map take limits
4:20: limit on optional: only string, bytes, list, set and map take limits
5:5: limit on named type "T": only string, bytes, list, set and map take limits (limit the type in its declaration)
6:9: limit on named type "nix.T": only string, bytes, list, set and map take limits (limit the type in its declaration)`},
		{"bad limits", "struct S {\n\tA string(max 0)\n\tB string(min 5, max 4)\n\tC string(max 1, max 2)\n\tD string(size 1)\n\tE string(max)\n}", `
2:15: max must be at least 1
3:10: min 5 is above max 4
4:18: duplicate max
5:11: expected "min" or "max", found "size"
6:14: expected a number after max, found ")"`},
		{"limits block", "limits {\n\tstring 0\n\tbytes 1\n\tbytes 2\n\tcount\n\twords 3\n}\nlimits {}", `
2:9: a limit must be at least 1
4:2: duplicate bytes limit
5:7: expected a number after count, found end of line
6:2: expected "string", "bytes" or "count", found "words"
8:1: duplicate limits block; the first is at f:1:1`},
		{"gates", "struct S {\n\tA u64 since 1\n\tB u64 since 1.2 since 1.3\n\tC u64 until 0.0\n\tD u64 if 3\n\tE u64 if x.\n}", `
2:14: expected a version major.minor after since, found number 1
3:18: duplicate since gate
4:8: empty version range: until 0.0 never holds
5:11: expected a feature name after if, found number 3
6:13: expected a feature name after x., found end of line`},
		{"field modifiers", "struct S {\n\tA u64 default 1 default 2\n\tB u64 required required since 1.2\n\tC u64 default {\n\tD u64 const\n}", `
2:18: duplicate default
3:17: duplicate required
4:16: expected a number, string, true, false or enum value name, found "{"
5:13: expected a number, string, true, false or enum value name, found end of line`},
		{"protocol statements", "struct A {}\nprotocol P\nprotocol Q", `
2:1: the protocol statement must come first in the file
3:1: duplicate protocol statement; this file's protocol is "P" (f:2:10)`},
		{"ops", "op A {}\nop B = x {}\nop C = 1 deprecated {}\nop D = 1 deprecated \"\" {}\nop E = 1 {\n\trequest S\n\trequest T\n\tstream both framed\n\tstream request fast\n\tsend X\n}", `
1:6: expected "=" after op A, found "{"
2:8: expected an opcode (a number), found "x"
3:21: expected a deprecation note (a string), found "{"
4:21: the deprecation note must not be empty
7:2: duplicate request
8:9: expected "request" or "reply" after stream, found "both"
9:17: expected "framed", "raw", "pull" or "push", found "fast"
10:2: expected "request", "reply" or "stream", found "send"`},
		{"layouts", "struct S {\n\tlayout {\n\t\tlayout {}\n\t}\n\tX u64\n}", `
3:3: layouts cannot be nested
5:2: field "X" outside the layouts of struct S; in a struct with layouts every field belongs to a layout`},
		{"enum and union lines", "enum E {\n\tA 1\n\tB = x\n}\nunion U {\n\tX S\n\t1\n}", `
2:4: expected "=" after A, found number 1
3:6: expected a number, found "x"
6:2: expected a variant tag (a number), found "X"
7:3: expected a type, found end of line`},
		{"types", "struct S {\n\tA map<string u64>\n\tB optional<string, full>\n\tC list u64\n\tD x.\n}", `
2:15: expected "," after the key type of map, found "u64"
3:21: expected "empty", found "full"
4:9: expected "<" after list, found "u64"
5:6: expected a type name after x., found end of line`},
		{"statement end", "type T u64 u64\nfeature F = \"f\" x\nimport", `
1:12: expected end of line after the type statement, found "u64"
2:17: expected end of line after the feature statement, found "x"
3:7: expected an import path string, found end of line`},
		{"lexical errors are reported once", "struct S {\n\tA u64 default 99999999999999999999\n\tB $\n}", `
2:16: number 99999999999999999999 out of range (the maximum is 2^64-1)
3:4: unexpected character '$'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile("f", []byte(tt.src))
			got := ""
			if err != nil {
				got = strings.ReplaceAll(err.Error(), "f:", "")
			}
			want := strings.ReplaceAll(strings.TrimPrefix(tt.want, "\n"), "f:", "")
			if got != want {
				t.Errorf("errors\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
