package gen

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

// docPackage builds, without the parser, a checked package that uses
// every construct the Markdown reference describes.
func docPackage() *schema.Package {
	pkg := &schema.Package{
		Name:   "demo",
		Path:   "example.com/demo",
		Files:  []string{"/abs/demo/a.schema", "/abs/demo/b.schema"},
		Limits: schema.Limits{String: 4096, Bytes: 0, Count: 100},
	}
	info := func(name, doc string) schema.DeclInfo { return schema.DeclInfo{Name: name, Doc: doc, Pkg: pkg} }
	feat := &schema.Feature{Name: "Fast", Value: "fast-path", Doc: "Fast is | fast.", Pkg: pkg}
	other := &schema.Package{Name: "base", Path: "example.com/base"}
	otherFeat := &schema.Feature{Name: "Old", Value: "old", Pkg: other}
	pkg.Imports = []*schema.Import{{Name: "b", Path: "example.com/base", Package: other}}
	pkg.Features = []*schema.Feature{feat}

	str := func(max uint64) *schema.Type { return &schema.Type{Kind: schema.String, Max: max} }
	ref := func(d schema.Decl) *schema.Type { return &schema.Type{Kind: schema.Ref, Name: d.DeclName(), Decl: d} }

	path := &schema.Named{DeclInfo: info("Path", "Path is a store path."), Type: str(211), Validate: true}
	mode := &schema.Enum{DeclInfo: info("Mode", "Mode says\nhow."), Values: []*schema.EnumValue{
		{Name: "Normal", Value: 0, Doc: "The usual."},
		{Name: "Check", Value: 2, Gate: schema.Gate{Since: wire.V(1, 30)}},
	}}
	flags := &schema.Enum{DeclInfo: info("Flags", ""), Open: true, Values: []*schema.EnumValue{{Name: "None", Value: 0}}}
	info1 := &schema.Struct{DeclInfo: info("Info", "")}
	info1.Fields = []*schema.Field{
		{Name: "Magic", Type: &schema.Type{Kind: schema.U64}, Const: &schema.Literal{Kind: schema.IntLit, Int: 0x6e6978}},
		{Name: "Path", Type: ref(path), Doc: "Where | it is."},
		{Name: "Refs", Type: &schema.Type{Kind: schema.Set, Max: 100, Elem: ref(path)}},
		{Name: "Sigs", Type: &schema.Type{Kind: schema.List, Min: 1, Max: 10, Elem: str(1024)}, Gate: schema.Gate{Since: wire.V(1, 16)}},
		{Name: "Meta", Type: &schema.Type{Kind: schema.Map, Max: 8, Key: str(64), Elem: &schema.Type{Kind: schema.List, Max: 3, Elem: str(5)}}},
		{Name: "Mode", Type: ref(mode), Gate: schema.Gate{If: []*schema.Feature{feat}, Unless: []*schema.Feature{otherFeat}},
			Default: &schema.Literal{Kind: schema.IdentLit, Ident: "Check"}, Required: true},
		{Name: "Deriver", Type: &schema.Type{Kind: schema.Optional, Empty: true, Elem: ref(path)}},
		{Name: "Note", Type: &schema.Type{Kind: schema.Optional, Elem: str(7)}, Default: &schema.Literal{Kind: schema.StringLit, Str: "a`|b"}},
		{Name: "Ext", Type: &schema.Type{Kind: schema.Ref, Qual: "b", Name: "Thing"}},
	}
	status := &schema.Field{Name: "Status", Type: &schema.Type{Kind: schema.U32}}
	v116 := wire.V(1, 16)
	info1.Fields = append(info1.Fields,
		&schema.Field{Name: "Infos", Type: &schema.Type{Kind: schema.List, Terminated: true, Max: 5, Elem: ref(path)}},
		status,
		&schema.Field{Name: "Msg", Type: str(100), Gate: schema.Gate{Since: wire.V(1, 2)}, Doc: "Msg explains a failure.",
			When: &schema.Condition{Name: "Status", Value: &schema.Literal{Kind: schema.IntLit, Int: 0}, Field: status}},
		&schema.Field{Name: "Again", Type: &schema.Type{Kind: schema.Bool}, Required: true,
			When: &schema.Condition{Name: "Mode", Equal: true, Value: &schema.Literal{Kind: schema.IdentLit, Ident: "Check"}}},
		&schema.Field{Name: "Pinned", Type: &schema.Type{Kind: schema.Ref, Qual: "b", Name: "Thing"}, At: &v116},
	)
	sizeV1 := &schema.Field{Name: "Size", Type: &schema.Type{Kind: schema.U32}}
	sizeV2 := &schema.Field{Name: "Size64", Type: &schema.Type{Kind: schema.U64}, Gate: schema.Gate{If: []*schema.Feature{feat}}}
	ok := &schema.Field{Name: "OK", Type: &schema.Type{Kind: schema.Bool}, Default: &schema.Literal{Kind: schema.BoolLit, Bool: true}}
	add := &schema.Struct{DeclInfo: info("Add", "Add changed in 1.25."),
		Fields: []*schema.Field{sizeV1, ok, sizeV2},
		Layouts: []*schema.Layout{
			{Gate: schema.Gate{Until: wire.V(1, 25)}, Fields: []*schema.Field{sizeV1, ok}},
			{Gate: schema.Gate{Since: wire.V(1, 25)}, Fields: []*schema.Field{ok, sizeV2}},
		}}
	some := &schema.Struct{DeclInfo: info("Some", ""), Fields: []*schema.Field{{Name: "Paths", Type: &schema.Type{Kind: schema.Bytes, Max: 9}}}}
	all := &schema.Struct{DeclInfo: info("All", "")}
	union := &schema.Union{DeclInfo: info("Which", "Which paths."), Variants: []*schema.Variant{
		{Tag: 0, Type: ref(some), Struct: some},
		{Tag: 1, Type: ref(all), Struct: all, Gate: schema.Gate{Since: wire.V(1, 2)}, Doc: "Everything."},
	}}
	some.Union, all.Union = union, union

	query := &schema.Op{Name: "Query", Protocol: "Worker", Code: 26, Gate: schema.Gate{Since: wire.V(1, 6)}, Doc: "Query asks."}
	queryReq := &schema.Struct{DeclInfo: info("QueryRequest", ""), Op: query,
		Fields: []*schema.Field{{Name: "Path", Type: ref(path)}}}
	queryReply := &schema.Struct{DeclInfo: info("QueryReply", ""), Op: query}
	query.Request, query.Reply = ref(queryReq), ref(queryReply)
	query.Streams = []*schema.Stream{
		{Dir: schema.AfterRequest, Kind: schema.Framed, Gate: schema.Gate{Since: wire.V(1, 23)}},
		{Dir: schema.AfterRequest, Kind: schema.Pull},
		{Dir: schema.AfterReply, Kind: schema.Raw},
	}
	old := &schema.Op{Name: "Old", Protocol: "Worker", Code: 3, Deprecated: "use\nQuery", Gate: schema.Gate{Until: wire.V(1, 30)}}
	oldReq := &schema.Struct{DeclInfo: info("OldRequest", ""), Op: old}
	old.Request, old.Reply = ref(oldReq), ref(info1)
	push := &schema.Op{Name: "Push", Code: 1, Streams: []*schema.Stream{{Dir: schema.AfterReply, Kind: schema.Push}}}
	pushReq := &schema.Struct{DeclInfo: info("PushRequest", ""), Op: push}
	push.Request = ref(pushReq)

	pkg.Decls = []schema.Decl{path, mode, flags, info1, add, union, some, all, queryReq, queryReply, oldReq, pushReq}
	pkg.Ops = []*schema.Op{query, old, push}
	return pkg
}

// TestMarkdown checks the whole reference of a package that uses every
// construct against testdata/markdown_demo.md, and that it depends only on
// its input.
func TestMarkdown(t *testing.T) {
	cfg := Config{SchemaPaths: map[string]string{"/abs/demo/a.schema": "demo/a.schema"}}
	got := string(Markdown(docPackage(), cfg))
	if again := string(Markdown(docPackage(), cfg)); again != got {
		t.Errorf("Markdown is not deterministic:\n%s", cmp.Diff(got, again))
	}
	const golden = "testdata/markdown_demo.md"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("Markdown differs from %s (-want +got; go test -run Markdown -update rewrites it):\n%s", golden, diff)
	}
	if strings.Contains(got, "/abs/") {
		t.Errorf("Markdown contains an absolute path")
	}
}

func TestGithubSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Package demo":        "package-demo",
		"QueryPathInfo (26)":  "querypathinfo-26",
		"Store_Path":          "store_path",
		"Protocol `Worker`":   "protocol-worker",
		"Types and messages.": "types-and-messages",
	} {
		if got := githubSlug(in); got != want {
			t.Errorf("githubSlug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnchorsAreUnique(t *testing.T) {
	pkg := docPackage()
	// A type whose name has the same slug as another's gets a suffix, as
	// on GitHub.
	pkg.Decls = append(pkg.Decls, &schema.Struct{DeclInfo: schema.DeclInfo{Name: "PATH", Pkg: pkg}})
	d := &docWriter{pkg: pkg}
	a := d.assignAnchors()
	if a["type:Path"] != "path" || a["type:PATH"] != "path-1" {
		t.Errorf("anchors of Path and PATH: %q, %q", a["type:Path"], a["type:PATH"])
	}
	seen := map[string]string{}
	for k, v := range a {
		if prev, ok := seen[v]; ok {
			t.Errorf("%s and %s share anchor %q", prev, k, v)
		}
		seen[v] = k
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain text.":                 "plain text.",
		`"sha256:<hex>!<output>" ids`: `"sha256:&lt;hex>!&lt;output>" ids`,
		"a *b* _c_ [d] e\\f":          `a \*b\* \_c\_ \[d\] e\\f`,
		"use `list<T>` and `a*b`":     "use `list<T>` and `a*b`",
		"``a ` b`` c<":                "``a ` b`` c&lt;",
		"an ` unclosed":               "an \\` unclosed",
		"# not a heading":             `\# not a heading`,
		"> not a quote, a > b, c # d": `\> not a quote, a > b, c # d`,
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}
