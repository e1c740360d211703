package schema

import (
	"errors"
	"slices"
	"testing"
)

// FuzzLoad loads arbitrary source through the overlay: Load never panics,
// returns either a package or a sorted ErrorList of positioned errors, and
// a package it returns has every limit applied. The import path
// "example.com/imp" resolves to a small fixed package, so that imports are
// exercised too; every other import path fails without running the go
// command. Seeds are in testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("struct A { X u64 since 1.2 }\n"))
	f.Add([]byte("import i \"example.com/imp\"\nstruct D from i.S { Y u64 since 1.3 after X\n Z bool if i.F }\n"))
	f.Add([]byte("import i \"example.com/imp\"\nstruct D from i.L { layout since 1.9 { X\n W u8 } }\nstruct E from D { V u64 since 1.10 }\n"))
	f.Add([]byte("protocol P extends i.B\nimport i \"example.com/imp\"\nop Q2 from i.Q since 1.5 { reply { Z u64 since 1.5 after Y } }\nop N = 9 { request i.S }\n"))
	f.Add([]byte("protocol P extends P\nstruct A from A { }\nop X from X {}\nstruct B from u64 {}\n"))
	imp := []byte("protocol B\nfeature F = \"f\"\ntype P string(max 9)\nenum M { A = 0 }\nstruct S { X P }\n" +
		"struct L { layout until 1.2 { X P }\n layout since 1.2 { X P\n Y u64 } }\nop Q = 1 since 1.1 { request { X P }\n reply { Y u64 } }\n")
	f.Fuzz(func(t *testing.T, src []byte) {
		overlay := map[string][]byte{"fuzz.schema": src, "fuzzimp/imp.schema": imp}
		res := mapResolver{"example.com/imp": "fuzzimp", "example.com/self": "."}
		pkg, err := Load([]string{"fuzz.schema"}, LoadConfig{Path: "example.com/self", Overlay: overlay, resolver: res})
		if _, perr := ParseFile("fuzz.schema", src); perr != nil && err == nil {
			t.Fatalf("ParseFile fails but Load does not: %v", perr)
		}
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T %v, want a non-empty ErrorList", err, err)
			}
			sorted := slices.IsSortedFunc(list, func(a, b *Error) int {
				if a.Pos.File != b.Pos.File {
					return map[bool]int{true: -1, false: 1}[a.Pos.File < b.Pos.File]
				}
				return (a.Pos.Line-b.Pos.Line)*1000000 + (a.Pos.Col - b.Pos.Col)
			})
			if !sorted {
				t.Fatalf("errors not sorted:\n%v", err)
			}
			for _, e := range list {
				if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Msg == "" {
					t.Fatalf("bad error %q at %v", e.Msg, e.Pos)
				}
			}
			return
		}
		c := &checker{pkg: pkg}
		for _, d := range pkg.Decls {
			c.files = append(c.files, &File{Decls: []Decl{d}})
		}
		c.forEachType(func(ty *Type, _ *File) {
			switch ty.Kind {
			case String, Bytes, List, Set, Map:
				if ty.Max == 0 || ty.Min > ty.Max {
					t.Fatalf("%s at %s: limits min %d max %d", typeString(ty), ty.Pos, ty.Min, ty.Max)
				}
			case Ref:
				if ty.Decl == nil {
					t.Fatalf("%s at %s: unresolved", typeString(ty), ty.Pos)
				}
			}
		})
	})
}
