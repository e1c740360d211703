package gen

import (
	"testing"

	"github.com/nixwire/nixwire/schema"
)

// generateSrc loads and generates one schema file held in memory.
func generateSrc(t *testing.T, src string) map[string][]byte {
	t.Helper()
	cfg := schema.LoadConfig{Dir: ".", Name: "deep", Path: "deep.test/deep", Overlay: map[string][]byte{"deep.schema": []byte(src)}}
	pkg, err := schema.Load([]string{"deep.schema"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(pkg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// nested returns a struct whose field is a type nested depth levels deep,
// cycling through list, map and optional so that every collection
// emitter nests.
func nested(depth int) string {
	open, close := "", ""
	for i := range depth {
		switch i % 3 {
		case 0:
			open += "list<"
			close = ">" + close
		case 1:
			open += "map<string, "
			close = ">" + close
		case 2:
			open += "optional<"
			close = ">" + close
		}
	}
	return "struct S {\n\tF " + open + "string" + close + "\n}\n"
}

// The generated code grows linearly with the nesting depth of a type, not
// with its square: nested collections past a few levels are outlined into
// helper functions of their own.
func TestDeepNestingIsLinear(t *testing.T) {
	size := func(depth int) int {
		n := 0
		for _, src := range generateSrc(t, nested(depth)) {
			n += len(src)
		}
		return n
	}
	s100, s400 := size(100), size(400)
	t.Logf("depth 100: %d bytes; depth 400: %d bytes", s100, s400)
	if s400 > 5*s100 {
		t.Errorf("depth 400 gives %d bytes, more than 5× depth 100's %d: not linear", s400, s100)
	}
	if s400 > 1<<20 {
		t.Errorf("depth 400 gives %d bytes, more than 1 MiB", s400)
	}
}
