package schema

import (
	"errors"
	"strings"
	"testing"
)

// loadSrc loads one schema file held in memory.
func loadSrc(t *testing.T, src string) error {
	t.Helper()
	_, err := Load([]string{"h.schema"}, LoadConfig{Name: "h", Overlay: map[string][]byte{"h.schema": []byte(src)}, resolver: mapResolver{}})
	return err
}

// wantErrors checks that err is an ErrorList whose messages are want.
func wantErrors(t *testing.T, err error, want ...string) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want a schema.ErrorList", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A type nested a million levels deep is a positioned error, not a stack
// overflow of the recursive-descent parser.
func TestDeepTypeIsAnError(t *testing.T) {
	const depth = 1_000_000
	src := "struct S {\n\tF " + strings.Repeat("list<", depth) + "u64" + strings.Repeat(">", depth) + "\n}\n"
	wantErrors(t, loadSrc(t, src), "h.schema:2:5008: type nested more than 1000 levels deep")
}

// Nesting up to the cap is accepted.
func TestTypeAtDepthCap(t *testing.T) {
	src := "struct S {\n\tF " + strings.Repeat("list<", maxTypeDepth) + "u64" + strings.Repeat(">", maxTypeDepth) + "\n}\n"
	if err := loadSrc(t, src); err != nil {
		t.Fatal(err)
	}
}

// Invalid UTF-8 in a comment is reported where it stands, so that it
// never reaches a generated doc comment.
func TestInvalidUTF8InComment(t *testing.T) {
	src := "// S is \xff bad.\nstruct S {\n\tF u64 // trailing \xc3\n}\n"
	wantErrors(t, loadSrc(t, src),
		`h.schema:1:9: invalid UTF-8 byte "\xff" in a comment`,
		`h.schema:3:20: invalid UTF-8 byte "\xc3" in a comment`)
}
